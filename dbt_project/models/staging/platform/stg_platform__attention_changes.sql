select
    {{ platform_event_columns('changed_at') }},
    payload ->> 'connection_id' as connection_id,
    payload ->> 'state' as attention_state,
    payload ->> 'reason' as reason
{{ from_platform_events('attention.changed') }}
