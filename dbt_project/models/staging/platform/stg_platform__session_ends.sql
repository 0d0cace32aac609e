select
    {{ platform_event_columns('ended_at') }}
{{ from_platform_events('session.ended') }}
