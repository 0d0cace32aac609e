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

-- registrations, then joins, in one shape: where the referrer and the utm block
-- are looked for, in this order (the newest join is the last join in it)
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
        utm_term,
        coalesce(utm_source, utm_medium, utm_campaign, utm_content, utm_term) is not null
        as has_utm,
        null as chat_name,
        null as country,
        null as city,
        null as ip
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
        utm_term,
        coalesce(utm_source, utm_medium, utm_campaign, utm_content, utm_term) is not null
        as has_utm,
        chat_name,
        country,
        city,
        ip
    from joins

),

-- one grouped pass, every pick an array in the one order of `seen` (one sort): the
-- first that names a host, the utm block (taken whole) of the first that carries
-- any utm field, and the joins' chat names and locations (the newest is the last)
{% set in_order = 'order by source_order, seen_at, event_id' %}
seen_picks as (

    select
        event_session_id,
        participant_id,
        (array_agg(referrer_host {{ in_order }}) filter (
            where referrer_host is not null
        ))[1] as referrer_host,
        {%- for field in ['utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'] %}
        (array_agg({{ field }} {{ in_order }}) filter (where has_utm))[1] as {{ field }},
        {%- endfor %}
        {%- for field in ['chat_name', 'country', 'city', 'ip'] %}
        array_agg({{ field }} {{ in_order }}) filter (where source_order = 2) as joins_{{ field }},
        {%- endfor %}
        count(*) filter (where source_order = 2) as joins_count
    from seen
    group by event_session_id, participant_id

),

-- the connections' counts and bounds, and the platform of the longest clipped
-- connection (on a tie, the earliest joined)
connection_stats as (

    select
        event_session_id,
        participant_id,
        count(*) as connections_count,
        min(joined_at) as first_joined_at,
        -- an open connection (session in progress) leaves no last_left_at yet
        case when bool_or(left_at is null) then null else max(left_at) end as last_left_at,
        string_agg(distinct platform, ', ' order by platform) as platforms,
        (array_agg(
            platform
            order by clipped_left_at - clipped_joined_at desc, joined_at asc, connection_id asc
        ))[1] as primary_platform
    from connections
    group by event_session_id, participant_id

),

final as (

    select
        participants.event_session_id,
        participants.participant_id,
        coalesce(seen_picks.referrer_host, 'direct') as referrer_source,
        seen_picks.utm_source,
        seen_picks.utm_medium,
        seen_picks.utm_campaign,
        seen_picks.utm_content,
        seen_picks.utm_term,
        connection_stats.platforms,
        connection_stats.primary_platform,
        seen_picks.joins_chat_name[seen_picks.joins_count] as chat_name,
        seen_picks.joins_country[seen_picks.joins_count] as country,
        seen_picks.joins_city[seen_picks.joins_count] as city,
        seen_picks.joins_ip[seen_picks.joins_count] as last_ip,
        coalesce(connection_stats.connections_count, 0)::bigint as connections_count,
        connection_stats.first_joined_at,
        connection_stats.last_left_at
    from participants
    left join seen_picks
        on
            participants.event_session_id = seen_picks.event_session_id
            and participants.participant_id = seen_picks.participant_id
    left join connection_stats
        on
            participants.event_session_id = connection_stats.event_session_id
            and participants.participant_id = connection_stats.participant_id

)

select * from final
