select
    {{ platform_event_columns('left_at') }},
    payload ->> 'connection_id' as connection_id
{{ from_platform_events('participant.left') }}
