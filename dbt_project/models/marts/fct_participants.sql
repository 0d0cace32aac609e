{{ config(unique_key=['event_session_id', 'participant_id']) }}
-- depends_on: {{ ref('int_sessions_to_rebuild') }}
{# the rating's terms (marts.md): weights and caps are vars #}
{% set presence_weight = var('rating_weight_presence') %}
{% set active_weight = var('rating_weight_active') %}
{% set messages_score = weighted_capped_score(
    var('rating_weight_messages'), 'messages_count', var('rating_cap_messages')
) %}
{% set questions_score = weighted_capped_score(
    var('rating_weight_questions'), 'questions_count', var('rating_cap_questions')
) %}
{% set fires_score = weighted_capped_score(
    var('rating_weight_fires'), 'fires_count', var('rating_cap_fires')
) %}
{# Who each participant is (int_participant_identity), where from and on what
    (int_participant_attribution), what they did (int_participant_engagement) and
    how long they were there (int_participant_presence), scored by the rating. -#}

with identity as (

    {{ select_rebuilt('int_participant_identity', where='session_started_at is not null') }}

),

{{ rebuilt_imports({
    'sessions': 'int_event_sessions', 'attribution': 'int_participant_attribution',
    'engagement': 'int_participant_engagement', 'presence': 'int_participant_presence',
    'host_windows': 'int_host_windows'
}) }},

-- the first clipped join and the last clipped leave (an inferred leave is ended_at)
clipped_bounds as (

    select
        event_session_id,
        participant_id,
        min(clipped_joined_at) as first_clipped_joined_at,
        max(clipped_left_at) as last_clipped_left_at
    from {{ ref('int_connections') }}
    where {{ rebuilt_sessions_only() }}
    group by event_session_id, participant_id

),

person_attendance as (

    select * from {{ ref('int_person_attendance') }}

),

participants as (

    select
        identity.event_session_id,
        identity.participant_id,
        identity.person_key,
        identity.email,
        -- staff (admin / host attendees) are never guests, new or returning
        coalesce(identity.role in ('admin', 'host'), false) as is_staff,
        identity.is_guest
        and coalesce(identity.role not in ('admin', 'host'), true) as is_guest,
        identity.first_name,
        identity.last_name,
        identity.registration_fields,
        identity.role,
        identity.registration_status,
        identity.invited_at,
        identity.registered_at,
        identity.has_attended,
        attribution.referrer_source,
        attribution.utm_source,
        attribution.utm_medium,
        attribution.utm_campaign,
        attribution.utm_content,
        attribution.utm_term,
        attribution.platforms,
        attribution.primary_platform,
        attribution.chat_name,
        attribution.country,
        attribution.city,
        attribution.last_ip,
        attribution.connections_count,
        attribution.first_joined_at,
        attribution.last_left_at,
        engagement.messages_count,
        engagement.messages_pct,
        engagement.questions_count,
        engagement.questions_pct,
        engagement.fires_count,
        -- 'paid' only in a paid session; NULL for everyone else (no "unpaid")
        case
            when sessions.is_paid and engagement.payment_status = 'paid' then 'paid'
        end as payment_status,
        engagement.agreements,
        sessions.duration_seconds,
        -- a first clipped join after this is late, a last clipped leave before this early
        sessions.started_at + {{ var('late_join_grace_minutes') }} * interval '1 minute'
        as late_join_after,
        sessions.ended_at - {{ var('early_leave_grace_minutes') }} * interval '1 minute'
        as early_leave_before,
        clipped_bounds.first_clipped_joined_at,
        clipped_bounds.last_clipped_left_at,
        coalesce(presence.presence_seconds, 0) as presence_seconds,
        -- non-attendees: 0 present, 0 active (with the module), 0 in the hosts' window
        case
            when identity.has_attended then presence.presence_pct
            else 0
        end as presence_pct,
        case
            when sessions.has_engagement_module then coalesce(presence.active_seconds, 0)
        end as active_seconds,
        host_windows.host_active_seconds,
        coalesce(presence.host_window_presence_seconds, 0) as host_window_presence_seconds,
        case
            when identity.has_attended and not identity.is_guest
                and coalesce(identity.role not in ('admin', 'host'), true)
                then not (person_attendance.first_session_started_at < identity.session_started_at)
        end as is_new
    from identity
    inner join sessions on identity.event_session_id = sessions.event_session_id
    left join attribution
        on
            identity.event_session_id = attribution.event_session_id
            and identity.participant_id = attribution.participant_id
    left join engagement
        on
            identity.event_session_id = engagement.event_session_id
            and identity.participant_id = engagement.participant_id
    left join presence
        on
            identity.event_session_id = presence.event_session_id
            and identity.participant_id = presence.participant_id
    left join host_windows on identity.event_session_id = host_windows.event_session_id
    left join clipped_bounds
        on
            identity.event_session_id = clipped_bounds.event_session_id
            and identity.participant_id = clipped_bounds.participant_id
    left join person_attendance
        on
            identity.organization_id = person_attendance.organization_id
            and identity.person_key = person_attendance.person_key

),

scored as (

    select
        *,
        {{ pct('active_seconds', 'duration_seconds') }} as active_pct,
        {{ pct('host_window_presence_seconds', 'host_active_seconds') }} as host_window_presence_pct
    from participants

),

final as (

    select
        event_session_id,
        participant_id,
        -- masks: with var mask_pii off one renders the bare column, so `x as x` is meant
        {{ mask_person_key('person_key') }} as person_key,  -- noqa: AL09
        {{ mask_email('email') }} as email,  -- noqa: AL09
        is_guest,
        first_name,
        last_name,
        registration_fields,
        chat_name,
        role,
        payment_status,
        registration_status,
        invited_at,
        registered_at,
        referrer_source,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        platforms,
        primary_platform,
        country,
        city,
        {{ mask_ip('last_ip') }} as last_ip,  -- noqa: AL09
        first_joined_at,
        last_left_at,
        connections_count::bigint as connections_count,
        presence_seconds::bigint as presence_seconds,
        presence_pct::numeric(5, 2) as presence_pct,
        messages_count::bigint as messages_count,
        messages_pct,
        questions_count::bigint as questions_count,
        questions_pct,
        fires_count::bigint as fires_count,
        active_seconds::bigint as active_seconds,
        active_pct,
        host_window_presence_pct,
        (case
            when not has_attended then 0
            else round(
                    case
                        when active_pct is null
                            then
                                ({{ presence_weight }} + {{ active_weight }})
                                * coalesce(presence_pct, 0)
                        else
                            {{ presence_weight }} * coalesce(presence_pct, 0)
                            + {{ active_weight }} * active_pct
                    end
                    + {{ messages_score }}
                    + {{ questions_score }}
                    + {{ fires_score }},
                    1
                )
        end)::numeric(4, 1) as rating,
        agreements,
        is_new,
        -- the three flags (marts v2): attending participants only, NULL for staff
        case
            when has_attended and not is_staff
                then last_clipped_left_at < early_leave_before
        end as left_early,
        coalesce(nullif(concat_ws(' ', first_name, last_name), ''), chat_name) as full_name,
        case
            when connections_count > 0 and is_guest then 'guest'
            when connections_count > 0 and is_new then 'new'
            when connections_count > 0 and not is_new then 'returning'
        end as visitor_type,
        case
            when has_attended and not is_staff
                then first_clipped_joined_at > late_join_after
        end as joined_late,
        case
            when has_attended and not is_staff
                then presence_pct < {{ var('low_presence_threshold_pct') }}
        end as low_presence,
        has_attended
    from scored

)

select * from final
