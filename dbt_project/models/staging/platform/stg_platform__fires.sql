select
    {{ platform_event_columns('fired_at') }},
    coalesce((payload ->> 'count')::bigint, 1) as fire_count
{{ from_platform_events('reaction.fire') }}
