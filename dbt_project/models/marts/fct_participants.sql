{{ config(unique_key=['event_session_id', 'participant_id']) }}
-- depends_on: {{ ref('int_sessions_to_rebuild') }}

with identity as (

    select * from {{ ref('int_participant_identity') }}
    where session_started_at is not null
        and {{ rebuilt_sessions_only() }}

),

sessions as (

    select * from {{ ref('int_event_sessions') }}
    where {{ rebuilt_sessions_only() }}

),

connections as (

    select * from {{ ref('int_connections') }}
    where {{ rebuilt_sessions_only() }}

),

presence as (

    select * from {{ ref('int_participant_presence') }}
    where {{ rebuilt_sessions_only() }}

),

host_windows as (

    select * from {{ ref('int_host_windows') }}
    where {{ rebuilt_sessions_only() }}

),

person_attendance as (

    select * from {{ ref('int_person_attendance') }}

),

joins as (

    select * from {{ ref('stg_platform__joins') }}
    where {{ rebuilt_sessions_only() }}

),

registrations as (

    select * from {{ ref('stg_platform__registrations') }}
    where {{ rebuilt_sessions_only() }}

),

chat_messages as (

    select * from {{ ref('stg_platform__chat_messages') }}
    where {{ rebuilt_sessions_only() }}

),

questions as (

    select * from {{ ref('stg_platform__questions') }}
    where {{ rebuilt_sessions_only() }}

),

fires as (

    select * from {{ ref('stg_platform__fires') }}
    where {{ rebuilt_sessions_only() }}

),

payments as (

    select * from {{ ref('stg_platform__payments') }}
    where {{ rebuilt_sessions_only() }}

),

agreements as (

    select * from {{ ref('stg_platform__agreements') }}
    where {{ rebuilt_sessions_only() }}

),

newest_joins as (

    select distinct on (event_session_id, participant_id) *
    from joins
    order by event_session_id, participant_id, joined_at desc, event_id desc

),

-- registration first, then the first join; the first one that names a host
first_referrers as (

    select distinct on (event_session_id, participant_id)
        event_session_id,
        participant_id,
        referrer_host
    from (
        select
            event_session_id, participant_id, 1 as source_order, registered_at as seen_at, event_id,
            {{ url_host('referrer') }} as referrer_host
        from registrations
        union all
        select
            event_session_id, participant_id, 2 as source_order, joined_at as seen_at, event_id,
            {{ url_host('referrer') }} as referrer_host
        from joins
    ) as seen
    where referrer_host is not null
    order by event_session_id, participant_id, source_order, seen_at, event_id

),

-- the utm block of the first registration that carries one, else of the first join
first_utms as (

    select distinct on (event_session_id, participant_id)
        event_session_id,
        participant_id,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term
    from (
        select
            event_session_id, participant_id, 1 as source_order, registered_at as seen_at, event_id,
            utm_source, utm_medium, utm_campaign, utm_content, utm_term
        from registrations
        union all
        select
            event_session_id, participant_id, 2 as source_order, joined_at as seen_at, event_id,
            utm_source, utm_medium, utm_campaign, utm_content, utm_term
        from joins
    ) as seen
    where coalesce(utm_source, utm_medium, utm_campaign, utm_content, utm_term) is not null
    order by event_session_id, participant_id, source_order, seen_at, event_id

),

connection_stats as (

    select
        event_session_id,
        participant_id,
        count(*) as connections_count,
        min(joined_at) as first_joined_at,
        -- an open connection (session in progress) leaves no last_left_at yet
        case when bool_or(left_at is null) then null else max(left_at) end as last_left_at,
        string_agg(distinct platform, ', ' order by platform) as platforms
    from connections
    group by event_session_id, participant_id

),

primary_platforms as (

    select distinct on (event_session_id, participant_id)
        event_session_id,
        participant_id,
        platform as primary_platform
    from connections
    order by
        event_session_id,
        participant_id,
        clipped_left_at - clipped_joined_at desc,
        joined_at,
        connection_id

),

message_counts as (

    select event_session_id, participant_id, count(distinct message_id) as messages_count
    from chat_messages
    group by event_session_id, participant_id

),

session_messages as (

    select event_session_id, count(distinct message_id) as messages_count
    from chat_messages
    group by event_session_id

),

question_counts as (

    select event_session_id, participant_id, count(distinct question_id) as questions_count
    from questions
    group by event_session_id, participant_id

),

session_questions as (

    select event_session_id, count(distinct question_id) as questions_count
    from questions
    group by event_session_id

),

fire_counts as (

    select event_session_id, participant_id, sum(fire_count) as fires_count
    from fires
    group by event_session_id, participant_id

),

paid as (

    select distinct event_session_id, participant_id
    from payments

),

first_acceptances as (

    select distinct on (event_session_id, participant_id, agreement_id) *
    from agreements
    order by event_session_id, participant_id, agreement_id, accepted_at, event_id

),

agreement_lists as (

    select
        event_session_id,
        participant_id,
        jsonb_agg(
            jsonb_build_object(
                'agreement_id', agreement_id,
                'title', agreement_title,
                'accepted_at', to_char(accepted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
            )
            order by accepted_at, agreement_id
        ) as agreements
    from first_acceptances
    group by event_session_id, participant_id

),

participants as (

    select
        identity.event_session_id,
        identity.participant_id,
        identity.person_key,
        identity.email,
        identity.is_guest,
        identity.first_name,
        identity.last_name,
        identity.registration_fields,
        newest_joins.chat_name,
        identity.role,
        case when paid.participant_id is not null then 'paid' end as payment_status,
        identity.registration_status,
        identity.invited_at,
        identity.registered_at,
        coalesce(first_referrers.referrer_host, 'direct') as referrer_source,
        first_utms.utm_source,
        first_utms.utm_medium,
        first_utms.utm_campaign,
        first_utms.utm_content,
        first_utms.utm_term,
        connection_stats.platforms,
        primary_platforms.primary_platform,
        newest_joins.country,
        newest_joins.city,
        newest_joins.ip as last_ip,
        connection_stats.first_joined_at,
        connection_stats.last_left_at,
        coalesce(connection_stats.connections_count, 0) as connections_count,
        identity.has_attended,
        coalesce(presence.presence_seconds, 0) as presence_seconds,
        case
            when identity.has_attended then presence.presence_pct
            else 0
        end as presence_pct,
        coalesce(message_counts.messages_count, 0) as messages_count,
        session_messages.messages_count as session_messages_count,
        coalesce(question_counts.questions_count, 0) as questions_count,
        session_questions.questions_count as session_questions_count,
        coalesce(fire_counts.fires_count, 0) as fires_count,
        case
            when sessions.has_engagement_module then coalesce(presence.active_seconds, 0)
        end as active_seconds,
        sessions.duration_seconds,
        host_windows.host_active_seconds,
        coalesce(presence.host_window_presence_seconds, 0) as host_window_presence_seconds,
        coalesce(agreement_lists.agreements, '[]'::jsonb) as agreements,
        case
            when identity.has_attended and not identity.is_guest
                then not (person_attendance.first_session_started_at < identity.session_started_at)
        end as is_new
    from identity
    inner join sessions on identity.event_session_id = sessions.event_session_id
    left join newest_joins
        on identity.event_session_id = newest_joins.event_session_id
        and identity.participant_id = newest_joins.participant_id
    left join first_referrers
        on identity.event_session_id = first_referrers.event_session_id
        and identity.participant_id = first_referrers.participant_id
    left join first_utms
        on identity.event_session_id = first_utms.event_session_id
        and identity.participant_id = first_utms.participant_id
    left join connection_stats
        on identity.event_session_id = connection_stats.event_session_id
        and identity.participant_id = connection_stats.participant_id
    left join primary_platforms
        on identity.event_session_id = primary_platforms.event_session_id
        and identity.participant_id = primary_platforms.participant_id
    left join presence
        on identity.event_session_id = presence.event_session_id
        and identity.participant_id = presence.participant_id
    left join message_counts
        on identity.event_session_id = message_counts.event_session_id
        and identity.participant_id = message_counts.participant_id
    left join session_messages on identity.event_session_id = session_messages.event_session_id
    left join question_counts
        on identity.event_session_id = question_counts.event_session_id
        and identity.participant_id = question_counts.participant_id
    left join session_questions on identity.event_session_id = session_questions.event_session_id
    left join fire_counts
        on identity.event_session_id = fire_counts.event_session_id
        and identity.participant_id = fire_counts.participant_id
    left join paid
        on identity.event_session_id = paid.event_session_id
        and identity.participant_id = paid.participant_id
    left join agreement_lists
        on identity.event_session_id = agreement_lists.event_session_id
        and identity.participant_id = agreement_lists.participant_id
    left join host_windows on identity.event_session_id = host_windows.event_session_id
    left join person_attendance
        on identity.organization_id = person_attendance.organization_id
        and identity.person_key = person_attendance.person_key

),

scored as (

    select
        *,
        {{ pct('active_seconds', 'duration_seconds') }} as active_pct,
        {{ pct('messages_count', 'session_messages_count') }} as messages_pct,
        {{ pct('questions_count', 'session_questions_count') }} as questions_pct,
        {{ pct('host_window_presence_seconds', 'host_active_seconds') }} as host_window_presence_pct
    from participants

),

final as (

    select
        event_session_id,
        participant_id,
        {{ mask_person_key('person_key') }} as person_key,
        {{ mask_email('email') }} as email,
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
        {{ mask_ip('last_ip') }} as last_ip,
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
                        then ({{ var('rating_weight_presence') }} + {{ var('rating_weight_active') }})
                            * coalesce(presence_pct, 0)
                    else {{ var('rating_weight_presence') }} * coalesce(presence_pct, 0)
                        + {{ var('rating_weight_active') }} * active_pct
                end
                + {{ weighted_capped_score(var('rating_weight_messages'), 'messages_count', var('rating_cap_messages')) }}
                + {{ weighted_capped_score(var('rating_weight_questions'), 'questions_count', var('rating_cap_questions')) }}
                + {{ weighted_capped_score(var('rating_weight_fires'), 'fires_count', var('rating_cap_fires')) }},
                1
            )
        end)::numeric(4, 1) as rating,
        agreements,
        is_new,
        case
            when has_attended then presence_pct < {{ var('left_early_threshold_pct') }}
        end as left_early
    from scored

)

select * from final
