{#- The envelope of raw.platform_events can hold no NULL: its columns are declared
    NOT NULL (migration 0001), so the database refuses such a row, and
    stg_platform__events passes them through as they are.  A not_null test a column
    scanned a day's millions of rows each (~2 s a column of a 10 M-event build, six of
    them on the source and the view); this checks the guard itself: it fails for each
    envelope column that is missing or may be NULL. -#}
{%- set events = source('platform', 'platform_events') -%}
{%- set view = ref('stg_platform__events') -%}  {#- what it guards: the view passes them on -#}
{%- set envelope = [
    'event_id', 'event_type', 'occurred_at', 'organization_id', 'event_session_id',
    'payload', 'file_id', 'source_uri', 'line_number', 'loaded_at'
] -%}

with expected as (

    select envelope.column_name
    from (
        values
        {%- for column in envelope %}
        ('{{ column }}'){{ ',' if not loop.last }}
        {%- endfor %}
    ) as envelope (column_name)

),

declared as (

    select
        attribute.attname::text as column_name,
        attribute.attnotnull as not_null
    from pg_catalog.pg_attribute as attribute
    where attribute.attrelid = to_regclass('{{ events.schema }}.{{ events.identifier }}')
        and attribute.attnum > 0
        and not attribute.attisdropped

)

select
    'raw.platform_events.' || expected.column_name
    || case when declared.column_name is null then ' is missing' else ' may be NULL' end
    as problem
from expected
left join declared on expected.column_name = declared.column_name
where declared.not_null is not true
