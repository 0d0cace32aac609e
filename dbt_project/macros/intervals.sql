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
