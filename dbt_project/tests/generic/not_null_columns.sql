{#- none of `columns` is NULL: one scan for all of them (a not_null test per column
    scans the table once each); a failing row names its NULL columns -#}
{% test not_null_columns(model, columns) %}
select
    concat_ws(
        ', '
        {%- for column in columns %},
        case when {{ column }} is null then '{{ column }}' end
        {%- endfor %}
    ) as null_columns,
    *
from {{ model }}
where {% for column in columns %}{{ column }} is null{{ ' or ' if not loop.last }}{% endfor %}
{% endtest %}
