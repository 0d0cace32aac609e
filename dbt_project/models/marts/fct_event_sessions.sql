-- depends_on: {{ ref('int_sessions_to_rebuild') }}
{% set host_share = pct('host_windows.host_active_seconds', 'sessions.duration_seconds') %}

with {{ rebuilt_imports({
    'sessions': ['int_event_sessions', 'started_at is not null'],
    'participants': 'fct_participants', 'presence': 'int_participant_presence',
    'host_windows': 'int_host_windows', 'session_engagement': 'int_session_engagement'
}) }},

participant_counts as (

    select
        event_session_id,
        count(*) filter (where invited_at is not null) as invited_count,
        count(*) filter (where registered_at is not null) as registered_count,
        count(*) filter (where connections_count > 0) as attendees_count,
        count(*) filter (where connections_count > 0 and role = 'participant')
        as participants_count,
        count(*) filter (where connections_count > 0 and role in ('admin', 'host')) as hosts_count,
        count(*) filter (where connections_count > 0 and role = 'participant' and is_new)
        as new_participants_count,
        count(*) filter (where connections_count > 0 and role = 'participant' and not is_new)
        as returning_participants_count,
        count(*) filter (where connections_count > 0 and role = 'participant' and is_guest)
        as guest_participants_count,
        count(*) filter (where connections_count > 0 and role = 'participant' and left_early)
        as left_early_count,
        count(*) filter (where connections_count > 0 and role = 'participant' and joined_late)
        as joined_late_count,
        count(*) filter (where connections_count > 0 and role = 'participant' and low_presence)
        as low_presence_count,
        count(*) filter (
            where not has_attended and (invited_at is not null or registered_at is not null)
        ) as no_show_count,
        round(avg(presence_pct) filter (where connections_count > 0 and role = 'participant'), 2)
        as avg_presence_pct
    from participants
    group by event_session_id

),

-- peak concurrency: sweep over the participants' merged presence intervals (one
-- interval per participant at a time, so open intervals = distinct participants);
-- at one instant a leave (-1) is applied before a join (+1): half-open intervals
participant_intervals as (

    select
        presence.event_session_id,
        interval_range
    from presence
    inner join participants
        on presence.event_session_id = participants.event_session_id
            and presence.participant_id = participants.participant_id
    cross join lateral unnest(presence.presence_intervals) as interval_range
    where participants.role = 'participant'

),

concurrency_steps as (

    {{ interval_steps('participant_intervals') }}

),

running_concurrency as (

    select
        event_session_id,
        sum(step) over (
            partition by event_session_id
            order by step_at, step
            rows between unbounded preceding and current row
        ) as online
    from concurrency_steps

),

peaks as (

    select
        event_session_id,
        max(online) as peak_concurrent_participants
    from running_concurrency
    group by event_session_id

),

final as (

    select
        sessions.event_session_id,
        sessions.organization_id,
        sessions.webinar_id,
        sessions.webinar_name,
        sessions.status,
        sessions.started_at,
        sessions.ended_at,
        sessions.end_inferred,
        sessions.duration_seconds::bigint as duration_seconds,
        sessions.is_paid,
        sessions.has_engagement_module as engagement_module,
        coalesce(participant_counts.invited_count, 0)::bigint as invited_count,
        coalesce(participant_counts.registered_count, 0)::bigint as registered_count,
        coalesce(participant_counts.attendees_count, 0)::bigint as attendees_count,
        coalesce(participant_counts.participants_count, 0)::bigint as participants_count,
        coalesce(participant_counts.hosts_count, 0)::bigint as hosts_count,
        coalesce(participant_counts.new_participants_count, 0)::bigint as new_participants_count,
        coalesce(participant_counts.returning_participants_count, 0)::bigint
        as returning_participants_count,
        coalesce(participant_counts.guest_participants_count, 0)::bigint
        as guest_participants_count,
        coalesce(participant_counts.left_early_count, 0)::bigint as left_early_count,
        coalesce(session_engagement.messages_count, 0)::bigint as messages_count,
        coalesce(session_engagement.questions_count, 0)::bigint as questions_count,
        coalesce(session_engagement.fires_count, 0)::bigint as fires_count,
        coalesce(peaks.peak_concurrent_participants, 0)::bigint as peak_concurrent_participants,
        participant_counts.avg_presence_pct::numeric(5, 2) as avg_presence_pct,
        host_windows.host_active_started_at,
        host_windows.host_active_ended_at,
        host_windows.host_active_seconds::bigint as host_active_seconds,
        {{ host_share }} as host_active_pct,
        sessions.report_date,
        coalesce(participant_counts.joined_late_count, 0)::bigint as joined_late_count,
        coalesce(participant_counts.low_presence_count, 0)::bigint as low_presence_count,
        coalesce(participant_counts.no_show_count, 0)::bigint as no_show_count
    from sessions
    left join participant_counts on sessions.event_session_id = participant_counts.event_session_id
    left join session_engagement on sessions.event_session_id = session_engagement.event_session_id
    left join peaks on sessions.event_session_id = peaks.event_session_id
    left join host_windows on sessions.event_session_id = host_windows.event_session_id

)

select * from final
