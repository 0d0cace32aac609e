{#- Incremental bookkeeping.  A run recomputes whole event sessions: the set is the
    table int_sessions_to_rebuild (see its description).  Models list it with a
    `-- depends_on:` comment because refs inside is_incremental() are invisible to
    the parser. -#}

{#- `where`-clause fragment: restrict to the sessions this run rebuilds -#}
{% macro rebuilt_sessions_only(column='event_session_id', rebuild_model='int_sessions_to_rebuild') -%}
    {%- if is_incremental() -%}
        {#- = any(array(...)): an init-plan array, so the planner picks the
            event_session_id indexes for a small set -#}
        {{ column }} = any(array(select event_session_id from {{ ref(rebuild_model) }}))
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- pre-hook (set per folder): before the new rows go in, delete every row of the
    sessions being rebuilt, so rows that no longer exist (e.g. a traffic source
    nobody has any more) disappear too.  A model picks its scope with
    meta.rebuild_scope: 'session' (default: int_sessions_to_rebuild), 'touched'
    (the sessions int_event_sessions recomputed in this invocation), 'people' (the
    (organization_id, person_key) rows of int_people_to_rebuild; with
    meta.masked_person_key, the key as the model stores it, masked) or 'none' (its
    delete+insert unique_key is enough). -#}
{% macro delete_rebuilt_sessions() -%}
    {%- set meta = config.get('meta') or {} -%}
    {%- set scope = meta.get('rebuild_scope', 'session') -%}
    {%- if is_incremental() and scope == 'session' -%}
        delete from {{ this }}
        where {{ rebuilt_sessions_only() }}
    {%- elif is_incremental() and scope == 'touched' -%}
        delete from {{ this }}
        where {{ touched_sessions_only() }}
    {%- elif is_incremental() and scope == 'people' -%}
        delete from {{ this }}
        where (organization_id, person_key) in (
            select
                people.organization_id,
                {{ mask_person_key('people.person_key') if meta.get('masked_person_key') else 'people.person_key' }}
            from {{ ref('int_people_to_rebuild') }} as people
        )
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- post-hook (set per folder): an index on the model's unique_key -#}
{% macro index_on_unique_key() -%}
    {%- set key = config.get('unique_key') -%}
    {%- if key -%}
        {{ index_on(key) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- post-hook: a b-tree index on `columns` unless the table already has one with
    exactly that key (names are generated, so a table swap never collides) -#}
{% macro index_on(columns) -%}
    {%- if columns is string -%}{%- set columns = [columns] -%}{%- endif -%}
    {%- if config.get('materialized') in ('table', 'incremental') -%}
    do $$
    begin
        if not exists (
            select 1
            from pg_index as i
            where i.indrelid = '{{ this }}'::regclass
              and (
                  select array_agg(a.attname::text order by k.ord)
                  from unnest(i.indkey) with ordinality as k (attnum, ord)
                  inner join pg_attribute as a
                      on a.attrelid = i.indrelid and a.attnum = k.attnum
              ) = array[{% for c in columns %}'{{ c }}'{{ ", " if not loop.last }}{% endfor %}]::text[]
        ) then
            create index on {{ this }} ({{ columns | join(', ') }});
        end if;
    end
    $$
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}

{#- post-hook: statistics for a table just built whole (a run that only adds to it
    leaves them to autovacuum) -#}
{% macro analyze_when_built() -%}
    {%- if is_incremental() -%}
        select 1
    {%- else -%}
        analyze {{ this }}
    {%- endif -%}
{%- endmacro %}

{#- `where`-clause fragment for the models upstream of int_sessions_to_rebuild:
    the sessions int_event_sessions recomputed in this very invocation -#}
{% macro touched_sessions_only(column='event_session_id') -%}
    {%- if is_incremental() -%}
        {{ column }} = any(array(
            select event_session_id
            from {{ ref('int_event_sessions') }}
            where rebuilt_invocation_id = '{{ invocation_id }}'
        ))
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- pre-hook (set per folder): memory for the sorts and hashes of one model, for
    this model's transaction only (var work_mem; Postgres' own default is 4MB) -#}
{% macro set_work_mem() -%}
    {%- if var('work_mem', none) -%}
        set local work_mem = '{{ var("work_mem") }}'
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- The names of the incremental models that ref this model and exist in the
    warehouse now, so run incrementally in this invocation (a model that does not
    exist yet builds whole); [] under --full-refresh and at parse -#}
{% macro existing_incremental_readers() -%}
    {%- set readers = [] -%}
    {%- if execute and not flags.FULL_REFRESH -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model'
                and model.unique_id in node.depends_on.nodes
                and node.config.materialized == 'incremental'
                and adapter.get_relation(
                    database=node.database, schema=node.schema, identifier=node.alias
                ) is not none -%}
                {%- do readers.append(node.name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return(readers) -}}
{%- endmacro %}
