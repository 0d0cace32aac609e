{#- Scoping of data tests to what a run changed, so a daily `dbt build` does not
    re-scan years of raw rows and marts.  Generic tests carry a placeholder in their
    `where` config (set per folder in dbt_project.yml):
      __new_raw_rows__        rows of raw files not yet in the ledger int_processed_files
      __rebuilt_sessions__    the event sessions of int_sessions_to_rebuild; for a model
                              that recomputes only the touched sessions
                              (meta.rebuild_scope 'touched', upstream of that list),
                              those sessions instead: its tests may run before the
                              list is rebuilt, and must not read last run's
    Pass --vars '{full_tests: true}' (or run the first build / --full-refresh, when
    the bookkeeping tables are new) to test everything. -#}

{% macro test_scope_predicate(placeholder) -%}
    {%- set schema = generate_schema_name('intermediate', none) -%}
    {%- if var('full_tests', false) -%}
        true
    {%- elif placeholder == '__new_raw_rows__' -%}
        {%- set ledger = adapter.get_relation(database=target.database, schema=schema, identifier='int_processed_files') if execute else none -%}
        {%- set files = adapter.get_relation(database=target.database, schema='raw', identifier='loaded_files') if execute else none -%}
        {%- if ledger is none or files is none -%}
            true
        {%- else -%}
            {#- an init-plan array of the few new file ids: the file_id index is used -#}
            file_id = any(array(
                select new_files.file_id
                from {{ files }} as new_files
                where not exists (
                    select 1 from {{ ledger }} as processed
                    where processed.file_id = new_files.file_id
                )
            ))
        {%- endif -%}
    {%- elif placeholder == '__touched_sessions__' -%}
        {%- set sessions = adapter.get_relation(database=target.database, schema=schema, identifier='int_event_sessions') if execute else none -%}
        {%- if sessions is none -%}
            true
        {%- else -%}
            {#- the sessions int_event_sessions recomputed in this invocation -#}
            event_session_id = any(array(
                select touched.event_session_id
                from {{ sessions }} as touched
                where touched.rebuilt_invocation_id = '{{ invocation_id }}'
            ))
        {%- endif -%}
    {%- elif placeholder == '__rebuilt_sessions__' -%}
        {%- set rebuild = adapter.get_relation(database=target.database, schema=schema, identifier='int_sessions_to_rebuild') if execute else none -%}
        {%- if rebuild is none -%}
            true
        {%- else -%}
            event_session_id = any(array(select event_session_id from {{ rebuild }}))
        {%- endif -%}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- dispatched by dbt for every generic test with a `where` config (root project wins) -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {#- (no loop: a `set` inside a Jinja for-loop does not outlive it) -#}
        {%- if '__new_raw_rows__' in where -%}
            {%- set where = where | replace('__new_raw_rows__', test_scope_predicate('__new_raw_rows__')) -%}
        {%- endif -%}
        {%- if '__rebuilt_sessions__' in where -%}
            {%- set scope = '__touched_sessions__' if rebuilds_touched_only(relation) else '__rebuilt_sessions__' -%}
            {%- set where = where | replace('__rebuilt_sessions__', test_scope_predicate(scope)) -%}
        {%- endif -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- whether `relation` is a model that recomputes only the touched sessions
    (meta.rebuild_scope 'touched') -#}
{% macro rebuilds_touched_only(relation) -%}
    {%- set found = [] -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model'
                and node.alias | lower == relation.identifier | lower
                and node.schema | lower == relation.schema | lower
                and (node.config.meta or {}).get('rebuild_scope') == 'touched' -%}
                {%- do found.append(node.unique_id) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return(found | length > 0) -}}
{%- endmacro %}
