{{ config(unique_key=['event_session_id', 'participant_id']) }}
-- depends_on: {{ ref('int_sessions_to_rebuild') }}
{# One row per (event session, participant) of a started session, as in
    fct_participants: where the participant came from (the first referrer and utm
    block: registration first, then the first join), on what (platforms, the primary
    one, the newest join's chat name and location) and how often they connected. -#}

with participants as (

    {{ select_rebuilt('int_participant_identity', where='session_started_at is not null') }}

),

connections as ({{ select_rebuilt('int_connections') }}),

joins as ({{ select_rebuilt('stg_platform__joins') }}),

registrations as ({{ select_rebuilt('stg_platform__registrations') }}),

newest_joins as (

    select distinct on (event_session_id, participant_id) *
    from joins
    order by event_session_id asc, participant_id asc, joined_at desc, event_id desc

),

-- registrations, then joins, in one shape: where the referrer and the utm block
-- are looked for, in this order
seen as (

    select
        event_session_id,
        participant_id,
        1 as source_order,
        registered_at as seen_at,
        event_id,
        {{ url_host('referrer') }} as referrer_host,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term
    from registrations
    union all
    select
        event_session_id,
        participant_id,
        2 as source_order,
        joined_at as seen_at,
        event_id,
        {{ url_host('referrer') }} as referrer_host,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term
    from joins

),

-- the first one that names a host
first_referrers as (

    select distinct on (event_session_id, participant_id)
        event_session_id,
        participant_id,
        referrer_host
    from seen
    where referrer_host is not null
    order by event_session_id, participant_id, source_order, seen_at, event_id

),

-- the utm block (taken whole) of the first one that carries any utm field
first_utms as (

    select distinct on (event_session_id, participant_id)
        event_session_id,
        participant_id,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term
    from seen
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

-- the platform of the longest clipped connection; on a tie, the earliest joined
primary_platforms as (

    select distinct on (event_session_id, participant_id)
        event_session_id,
        participant_id,
        platform as primary_platform
    from connections
    order by
        event_session_id asc,
        participant_id asc,
        clipped_left_at - clipped_joined_at desc,
        joined_at,
        connection_id asc

),

final as (

    select
        participants.event_session_id,
        participants.participant_id,
        coalesce(first_referrers.referrer_host, 'direct') as referrer_source,
        first_utms.utm_source,
        first_utms.utm_medium,
        first_utms.utm_campaign,
        first_utms.utm_content,
        first_utms.utm_term,
        connection_stats.platforms,
        primary_platforms.primary_platform,
        newest_joins.chat_name,
        newest_joins.country,
        newest_joins.city,
        newest_joins.ip as last_ip,
        coalesce(connection_stats.connections_count, 0)::bigint as connections_count,
        connection_stats.first_joined_at,
        connection_stats.last_left_at
    from participants
    left join first_referrers
        on
            participants.event_session_id = first_referrers.event_session_id
            and participants.participant_id = first_referrers.participant_id
    left join first_utms
        on
            participants.event_session_id = first_utms.event_session_id
            and participants.participant_id = first_utms.participant_id
    left join connection_stats
        on
            participants.event_session_id = connection_stats.event_session_id
            and participants.participant_id = connection_stats.participant_id
    left join primary_platforms
        on
            participants.event_session_id = primary_platforms.event_session_id
            and participants.participant_id = primary_platforms.participant_id
    left join newest_joins
        on
            participants.event_session_id = newest_joins.event_session_id
            and participants.participant_id = newest_joins.participant_id

)

select * from final
