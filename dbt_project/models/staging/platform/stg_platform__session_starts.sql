select
    {{ platform_event_columns('started_at') }},
    payload ->> 'webinar_name' as webinar_name,
    coalesce((payload ->> 'is_paid')::boolean, false) as is_paid,
    coalesce((payload ->> 'engagement_module')::boolean, false) as has_engagement_module,
    coalesce((payload ->> 'open_entry')::boolean, false) as is_open_entry
{{ from_platform_events('session.started') }}
