{#- each of `columns` ({column: [values]}) is NULL or one of its values, as dbt's
    accepted_values says of one column: one scan for all of them (an accepted_values
    test per column scans the table once each); a failing row names each column whose
    value is not accepted, with the value -#}
{% test accepted_values_columns(model, columns) %}
{%- set accepted = {} -%}
{%- for column, values in columns.items() -%}
    {%- set quoted = [] -%}
    {%- for value in values -%}
        {%- do quoted.append("'" ~ (value | string | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {%- do accepted.update({column: quoted | join(', ')}) -%}
{%- endfor %}
select
    concat_ws(
        ', '
        {%- for column, values in accepted.items() %},
        case
            when {{ column }} not in ({{ values }}) then '{{ column }} = ' || {{ column }}
        end
        {%- endfor %}
    ) as unexpected_values,
    *
from {{ model }}
where
    {%- for column, values in accepted.items() %}
    {{ column }} not in ({{ values }}){{ ' or' if not loop.last }}
    {%- endfor %}
{% endtest %}
