{#- Import CTE bodies.  A model still names, at the top, every relation it reads:
        sessions as ({{ select_rebuilt('int_event_sessions', where='started_at is not null') }}),
    renders
        select * from <int_event_sessions>
        where started_at is not null
            and <rebuilt_sessions_only()>
    The ref() runs whenever the model is parsed, so dbt records the dependency as
    if it were written in the model. -#}

{#- the rows of `model_name` in the sessions this run rebuilds (all rows on a full
    build); `where` adds a condition -#}
{% macro select_rebuilt(model_name, where=none) -%}
    select * from {{ ref(model_name) }}
    where {% if where %}{{ where }}
        and {% endif %}{{ rebuilt_sessions_only() }}
{%- endmacro %}

{#- for singular tests: the rows of `model_name` in the sessions the data tests
    cover (see test_scope_predicate) -#}
{% macro select_in_test_scope(model_name) -%}
    select * from {{ ref(model_name) }}
    where {{ test_scope_predicate('__rebuilt_sessions__') }}
{%- endmacro %}

{#- several import CTEs at once: `{{ rebuilt_imports({'sessions': 'int_event_sessions',
    'joins': ['stg_platform__joins', "<where>"]}) }}` renders
    `sessions as (select_rebuilt('int_event_sessions')), joins as (...)`, in order.
    scope='touched' takes instead the rows of the sessions this run's new raw rows
    touched (touched_sessions_only(), for the models that decide what to rebuild) -#}
{% macro rebuilt_imports(imports, scope='rebuilt') -%}
    {%- for name, model in imports.items() %}
        {%- if model is string %}{% set model = [model, none] %}{% endif %}
        {%- if scope == 'touched' %}
{{ name }} as (select * from {{ ref(model[0]) }}
    where {% if model[1] %}{{ model[1] }} and {% endif %}{{ touched_sessions_only() }})
        {%- else %}
{{ name }} as ({{ select_rebuilt(model[0], where=model[1]) }})
        {%- endif %}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- `column` is one of the model's `touched_sessions` (a CTE): `= any(array(...))`
    lets the planner use the event_session_id index (an `in (select ...)` may not) -#}
{% macro is_touched_session(column) -%}
    {{ column }} = any(array(select touched_sessions.event_session_id from touched_sessions))
{%- endmacro %}
