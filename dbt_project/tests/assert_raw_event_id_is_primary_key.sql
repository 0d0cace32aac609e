{#- event_id is unique in raw.platform_events because it is the table's primary key
    (the loader's ON CONFLICT relies on it), and every stg_platform__* view of events
    is a filter of that one table.  Counting a day's millions of ids for duplicates in
    each of those views took ~110 s of a 10 M-event build; this checks the guard
    itself: it fails unless the primary key is exactly (event_id). -#}
{%- set events = source('platform', 'platform_events') -%}

with primary_key as (

    select array_agg(attribute.attname::text order by attribute.attname) as key_columns
    from pg_catalog.pg_constraint as constraint_
    inner join pg_catalog.pg_attribute as attribute
        on constraint_.conrelid = attribute.attrelid
            and attribute.attnum = any(constraint_.conkey)
    where constraint_.conrelid = to_regclass('{{ events.schema }}.{{ events.identifier }}')
        and constraint_.contype = 'p'

)

select
    'raw.platform_events: primary key is ' || coalesce(key_columns::text, 'missing')
    || ', expected {event_id}' as problem
from primary_key
where key_columns is distinct from array['event_id']
