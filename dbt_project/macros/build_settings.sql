{#- The settings the marts depend on (the columns of int_build_settings, each named
    like its var) and how a value is compared: a build whose vars differ from the
    ones the marts were last built with would mix two settings in one mart (a new
    time zone files only the rebuilt sessions under the new report dates), so it
    stops before it starts and names what changed.  --full-refresh rebuilds
    everything under the new vars and records them. -#}

{% macro build_settings_kinds() -%}
    {%- do return({
        'reporting_timezone': 'text',
        'mask_pii': 'bool',
        'inferred_end_delay_hours': 'int',
        'max_session_days': 'int',
        'late_join_grace_minutes': 'int',
        'early_leave_grace_minutes': 'int',
        'low_presence_threshold_pct': 'number',
        'rating_weight_presence': 'number',
        'rating_weight_active': 'number',
        'rating_weight_messages': 'number',
        'rating_weight_questions': 'number',
        'rating_weight_fires': 'number',
        'rating_cap_messages': 'int',
        'rating_cap_questions': 'int',
        'rating_cap_fires': 'int',
    }) -%}
{%- endmacro %}

{#- a setting's value as int_build_settings stores it, from a var or from the table -#}
{% macro build_setting_value(value, kind) -%}
    {%- if kind == 'bool' -%}
        {%- do return(value in (true, 'true', 'True', 1, '1')) -%}
    {%- elif kind == 'int' -%}
        {%- do return(value | int) -%}
    {%- elif kind == 'number' -%}
        {%- do return(value | float) -%}
    {%- else -%}
        {%- do return(value | string) -%}
    {%- endif -%}
{%- endmacro %}

{#- on-run-start: stop a build or run (not --full-refresh) whose settings differ
    from the row of int_build_settings, with one line.  No row yet (a new
    warehouse): nothing to compare, the build goes on.  `dbt run-operation
    check_build_settings --args '{always: true}'` checks without building (what
    `webstat run` does before its first day). -#}
{% macro check_build_settings(always=false) -%}
    {%- set building = flags.WHICH in ('build', 'run') and not flags.FULL_REFRESH -%}
    {%- if execute and (always or building) -%}
        {%- set relation = adapter.get_relation(
            database=target.database,
            schema=generate_schema_name('intermediate', none),
            identifier='int_build_settings') -%}
        {%- if relation is not none -%}
            {%- set kinds = build_settings_kinds() -%}
            {%- set built = run_query('select ' ~ (kinds.keys() | join(', ')) ~ ' from ' ~ relation) -%}
            {%- set changes = [] -%}
            {%- for row in built.rows[:1] -%}
                {%- for name, kind in kinds.items() -%}
                    {%- set old = build_setting_value(row[name], kind) -%}
                    {%- set new = build_setting_value(var(name), kind) -%}
                    {%- if old != new -%}
                        {%- do changes.append(name ~ ' ' ~ old ~ ' → ' ~ new) -%}
                    {%- endif -%}
                {%- endfor -%}
            {%- endfor -%}
            {%- if changes -%}
                {{ exceptions.raise_compiler_error(
                    'the marts were built with other settings (' ~ (changes | join(', '))
                    ~ '): rebuild them all under the new ones with `webstat rebuild`'
                    ~ ' (or dbt build --full-refresh)') }}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    select 1
{%- endmacro %}
