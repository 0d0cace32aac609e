select
    {{ platform_event_columns('registered_at') }},
    {{ payload_person_columns() }},
    {{ payload_attribution_columns() }}
{{ from_platform_events('participant.registered') }}
