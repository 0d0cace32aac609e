select
    {{ platform_event_columns('accepted_at') }},
    payload ->> 'agreement_id' as agreement_id,
    payload ->> 'title' as agreement_title
{{ from_platform_events('agreement.accepted') }}
