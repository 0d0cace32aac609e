{#- Interval arithmetic.  ONE rounding rule for every duration in the project:
    a duration in seconds is floor() of the exact length, taken once on the total
    (sub-second parts are summed first, then floored). -#}

{#- whole seconds of one range (empty or NULL range -> 0) -#}
{% macro range_seconds(range_expr) -%}
    coalesce(floor(extract(epoch from (upper({{ range_expr }}) - lower({{ range_expr }})))), 0)::bigint
{%- endmacro %}

{#- whole seconds of a multirange: floor of the summed exact lengths -#}
{% macro multirange_seconds(multirange_expr) -%}
    (
        select coalesce(floor(extract(epoch from sum(upper(r) - lower(r)))), 0)::bigint
        from unnest({{ multirange_expr }}) as r
    )
{%- endmacro %}

{#- half-open [lower, upper) range; empty when lower >= upper (never an error) -#}
{% macro half_open_range(lower_expr, upper_expr) -%}
    case
        when {{ lower_expr }} < {{ upper_expr }}
            then tstzrange({{ lower_expr }}, {{ upper_expr }}, '[)')
        else 'empty'::tstzrange
    end
{%- endmacro %}

{#- the steps of a sweep over intervals: +1 where each interval of `relation`'s
    `range_column` starts, -1 where it ends (a running sum of `step` ordered by
    `step_at` is the number of intervals open) -#}
{% macro interval_steps(relation, range_column='interval_range') -%}
    select
        event_session_id,
        lower({{ range_column }}) as step_at,
        1 as step
    from {{ relation }}
    union all
    select
        event_session_id,
        upper({{ range_column }}) as step_at,
        -1 as step
    from {{ relation }}
{%- endmacro %}
