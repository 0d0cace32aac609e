{{ config(
    unique_key=['event_session_id', 'participant_id'],
    meta={'rebuild_scope': 'touched'},
    post_hook=["{{ index_on(['organization_id', 'person_key']) }}"],
) }}
-- depends_on: {{ ref('int_event_sessions') }}
{# One row per (event session, participant) for everyone invited, registered or
    attending: who the person is (person_key, e-mail, names), how they registered,
    whether and as what role they attended.  Recomputed for the sessions touched by
    this run's new raw rows (identity depends on a session's own events only). -#}

with {{ rebuilt_imports({
    'sessions': 'int_event_sessions', 'invitations': 'stg_platform__invitations',
    'registrations': 'stg_platform__registrations', 'joins': 'stg_platform__joins'
}, scope='touched') }},

-- every invitation, registration and join of a participant, in one shape, so one
-- grouped pass (one sort) answers what used to take seven joins of ~2 M rows each
seen as (

    select
        event_session_id,
        participant_id,
        'invited' as kind,
        invited_at as seen_at,
        event_id,
        email,
        first_name,
        last_name,
        registration_fields,
        null::text as role
    from invitations
    union all
    select
        event_session_id,
        participant_id,
        'registered' as kind,
        registered_at as seen_at,
        event_id,
        email,
        first_name,
        last_name,
        registration_fields,
        null::text as role
    from registrations
    union all
    select
        event_session_id,
        participant_id,
        'joined' as kind,
        joined_at as seen_at,
        event_id,
        null::text as email,
        null::text as first_name,
        null::text as last_name,
        null::jsonb as registration_fields,
        role
    from joins

),

-- "newest" = latest seen_at, then greatest event_id; every ordered aggregate shares
-- that one order, so Postgres sorts the rows once (`newest` takes element [1])
participants as (

    select
        event_session_id,
        participant_id,
        array_agg(first_name order by seen_at desc, event_id desc)
        filter (where kind = 'registered') as registered_first_names,
        array_agg(last_name order by seen_at desc, event_id desc)
        filter (where kind = 'registered') as registered_last_names,
        array_agg(registration_fields order by seen_at desc, event_id desc)
        filter (where kind = 'registered') as registered_fields,
        array_agg(lower(email) order by seen_at desc, event_id desc)
        filter (where kind = 'registered' and email is not null) as registered_emails,
        min(seen_at) filter (where kind = 'registered') as first_registered_at,
        array_agg(first_name order by seen_at desc, event_id desc)
        filter (where kind = 'invited') as invited_first_names,
        array_agg(last_name order by seen_at desc, event_id desc)
        filter (where kind = 'invited') as invited_last_names,
        array_agg(registration_fields order by seen_at desc, event_id desc)
        filter (where kind = 'invited') as invited_fields,
        array_agg(lower(email) order by seen_at desc, event_id desc)
        filter (where kind = 'invited' and email is not null) as invited_emails,
        min(seen_at) filter (where kind = 'invited') as first_invited_at,
        array_agg(role order by seen_at desc, event_id desc)
        filter (where kind = 'joined') as roles,
        min(seen_at) filter (where kind = 'joined') as first_joined_at,
        max(seen_at) filter (where kind = 'joined') as last_joined_at
    from seen
    group by event_session_id, participant_id

),

newest as (

    select
        event_session_id,
        participant_id,
        registered_first_names[1] as registered_first_name,
        registered_last_names[1] as registered_last_name,
        registered_fields[1] as registered_fields,
        registered_emails[1] as registered_email,
        first_registered_at,
        invited_first_names[1] as invited_first_name,
        invited_last_names[1] as invited_last_name,
        invited_fields[1] as invited_fields,
        invited_emails[1] as invited_email,
        first_invited_at,
        roles[1] as role,
        first_joined_at,
        last_joined_at
    from participants

),

final as (

    select
        newest.event_session_id,
        sessions.organization_id,
        sessions.started_at as session_started_at,
        newest.participant_id,
        -- the newest e-mail given: a registration's wins over an invitation's
        coalesce(
            newest.registered_email,
            newest.invited_email,
            'guest:' || newest.participant_id
        ) as person_key,
        coalesce(newest.registered_email, newest.invited_email) as email,
        coalesce(newest.registered_email, newest.invited_email) is null as is_guest,
        coalesce(newest.registered_first_name, newest.invited_first_name) as first_name,
        coalesce(newest.registered_last_name, newest.invited_last_name) as last_name,
        case
            when newest.registered_fields is not null
                or newest.invited_fields is not null
                then coalesce(newest.invited_fields, '{}'::jsonb)
                    || coalesce(newest.registered_fields, '{}'::jsonb)
        end as registration_fields,
        newest.first_invited_at as invited_at,
        newest.first_registered_at as registered_at,
        case
            when newest.first_registered_at is null
                and newest.first_invited_at is not null
                then 'invited'
            when newest.first_invited_at <= newest.first_registered_at
                then 'registered_by_invitation'
            when newest.first_registered_at is not null
                then 'self_registered'
        end as registration_status,
        newest.first_joined_at is not null as has_attended,
        newest.role,
        newest.first_joined_at,
        newest.last_joined_at
    from newest
    inner join sessions on newest.event_session_id = sessions.event_session_id

)

select * from final
