{{ config(
    meta={'rebuild_scope': 'none'},
    pre_hook=[
        "{% if is_incremental() %}delete from {{ this }} where "
        ~ "{{ rebuilt_sessions_only(rebuild_model='int_series_to_rebuild') }}"
        ~ "{% else %}select 1{% endif %}"
    ],
) }}
-- depends_on: {{ ref('int_series_to_rebuild') }}
{# One row per event session, numbered within its series (all the sessions of one
    webinar_id in an organization, in started_at order; the same instant: by
    event_session_id; a session without a webinar_id is a series of its own), with the persons (attending participants with an e-mail, by
    person_key) it shares with the sessions before and after it.  Quarantined sessions
    (a clock gone wrong) are left out: no row, no number, their attendance counts for
    no other session.  The pre-hook deletes every session of a series being rebuilt
    (int_series_to_rebuild), so a session that turned quarantined loses its row. -#}

with sessions as (

    select * from {{ ref('int_event_sessions') }}
    where started_at is not null
        and status <> 'quarantined'
        and {{ rebuilt_sessions_only(rebuild_model='int_series_to_rebuild') }}

),

identity as (

    select * from {{ ref('int_participant_identity') }}
    where has_attended
        and role = 'participant'
        and not is_guest
        and {{ rebuilt_sessions_only(rebuild_model='int_series_to_rebuild') }}

),

-- the series: organization and webinar_id (a session without one stands alone)
in_series as (

    select
        *,
        case when webinar_id is null then event_session_id end as lone_session_id
    from sessions

),

numbered as (

    select
        event_session_id,
        organization_id,
        webinar_id,
        lone_session_id,
        row_number() over series_order as session_number,
        count(*) over (partition by organization_id, webinar_id, lone_session_id)
        as sessions_in_series
    from in_series
    window series_order as (
        partition by organization_id, webinar_id, lone_session_id
        order by started_at, event_session_id
    )

),

-- each person once per session (two participant ids with one e-mail are one person)
attendance as (

    select distinct
        numbered.event_session_id,
        numbered.organization_id,
        numbered.webinar_id,
        numbered.lone_session_id,
        numbered.session_number,
        identity.person_key
    from identity
    inner join numbered on identity.event_session_id = numbered.event_session_id

),

-- for each attendance, the person's previous and next session of the series
person_history as (

    select
        event_session_id,
        session_number,
        lag(session_number) over person_order as previous_session_number,
        lead(session_number) over person_order as next_session_number
    from attendance
    window person_order as (
        partition by organization_id, webinar_id, lone_session_id, person_key
        order by session_number
    )

),

session_counts as (

    select
        event_session_id,
        count(*) as persons_count,
        count(*) filter (where previous_session_number is null) as first_time_count,
        count(*) filter (where previous_session_number = session_number - 1)
        as from_previous_count,
        count(*) filter (where next_session_number = session_number + 1)
        as retained_to_next_count
    from person_history
    group by event_session_id

),

counted as (

    select
        numbered.event_session_id,
        numbered.organization_id,
        numbered.webinar_id,
        numbered.session_number,
        numbered.session_number < numbered.sessions_in_series as has_next_session,
        coalesce(session_counts.persons_count, 0) as persons_count,
        coalesce(session_counts.first_time_count, 0) as first_time_count,
        coalesce(session_counts.from_previous_count, 0) as from_previous_count,
        coalesce(session_counts.retained_to_next_count, 0) as retained_to_next_count
    from numbered
    left join session_counts on numbered.event_session_id = session_counts.event_session_id

),

final as (

    select
        event_session_id,
        organization_id,
        webinar_id,
        session_number::bigint as session_number,
        persons_count::bigint as persons_count,
        first_time_count::bigint as first_time_count,
        case when session_number > 1 then from_previous_count end::bigint as from_previous_count,
        case when has_next_session then retained_to_next_count end::bigint
        as retained_to_next_count,
        -- NULL while there is no next session, and (pct) when persons_count is 0
        {{ pct('case when has_next_session then retained_to_next_count end', 'persons_count') }}
        as retained_to_next_pct
    from counted

)

select * from final
