{#- every row satisfies the boolean SQL `expression` (NULL counts as false unless
    the expression handles it) -#}
{% test expression_is_true(model, expression) %}
select *
from {{ model }}
where not coalesce(({{ expression }}), false)
{% endtest %}
