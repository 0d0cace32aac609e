select
    {{ platform_event_columns('invited_at') }},
    {{ payload_person_columns() }}
{{ from_platform_events('participant.invited') }}
