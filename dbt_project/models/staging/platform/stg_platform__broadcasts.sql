select
    {{ platform_event_columns() }},
    case event_type
        when 'broadcast.started' then 'started'
        else 'stopped'
    end as broadcast_action
{{ from_platform_events(['broadcast.started', 'broadcast.stopped']) }}
