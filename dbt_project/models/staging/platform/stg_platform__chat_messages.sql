select
    {{ platform_event_columns('posted_at') }},
    payload ->> 'message_id' as message_id,
    payload ->> 'text' as message_text
{{ from_platform_events('chat.message_posted') }}
