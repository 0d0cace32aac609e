{#- percentage with a zero guard: NULL when the denominator is 0 or NULL,
    rounded to `places` (2 unless told) -#}
{% macro pct(numerator, denominator, places=2) -%}
    (case
        when coalesce({{ denominator }}, 0) > 0
            then round(100.0 * ({{ numerator }}) / ({{ denominator }}), {{ places }})
    end)::numeric(5, {{ places }})
{%- endmacro %}

{#- weight x S(x, cap) of the rating formula, S(x, cap) = 100 * min(x, cap) / cap;
    the division comes last so that e.g. 0.15 x S(1, 3) is exactly 5 (numeric
    would otherwise give 4.999..., and 53.75 would round to 53.7) -#}
{% macro weighted_capped_score(weight, value_expr, cap) -%}
    ({{ weight }} * 100.0 * least(coalesce({{ value_expr }}, 0), {{ cap }}) / {{ cap }})
{%- endmacro %}

{#- host name of a URL, lower case, without a leading "www."; NULL when none -#}
{% macro url_host(url_expr) -%}
    nullif(
        regexp_replace(
            substring(
                lower(trim({{ url_expr }}))
                from '^(?:[a-z][a-z0-9+.-]*://|//)?(?:[^@/?#]*@)?([^/?#:]+)'
            ),
            '^www\.', ''
        ),
        ''
    )
{%- endmacro %}

{#- the run's clock: var data_interval_end (ISO 8601), else the env var
    WEBSTAT_DATA_INTERVAL_END (what the DAG sets: a new --vars value every day would make
    dbt re-parse the whole project, an env var only the files that read it), else now() -#}
{% macro run_clock() -%}
    {%- set interval_end = var('data_interval_end', none) or env_var('WEBSTAT_DATA_INTERVAL_END', '') -%}
    {%- if interval_end -%}
        '{{ interval_end }}'::timestamptz
    {%- else -%}
        now()
    {%- endif -%}
{%- endmacro %}

{#- A share mart (fct_devices, fct_traffic_sources): the participants of each
    rebuilt session (role participant, with a connection) grouped by `attribute`
    (shown as `name`): how many, and their share of the session's participants
    (sums to 100). -#}
{% macro participant_shares(attribute, name) -%}
{%- set session_participants = 'sum(participants_count) over (partition by event_session_id)' -%}
with participants as (

    {{ select_rebuilt('fct_participants', where="connections_count > 0 and role = 'participant'") }}

),

grouped as (

    select
        event_session_id,
        {{ attribute }} as {{ name }},
        count(*) as participants_count
    from participants
    group by event_session_id, {{ attribute }}

),

final as (

    select
        event_session_id,
        {{ name }},
        participants_count::bigint as participants_count,
        {{ pct('participants_count', session_participants) }} as share_pct
    from grouped

)

select * from final
{%- endmacro %}
