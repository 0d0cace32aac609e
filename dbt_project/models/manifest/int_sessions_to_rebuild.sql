{{ config(unique_key='event_session_id', post_hook=['analyze {{ this }}']) }}
{# The event sessions this run recomputes, with the reason.  Every incremental model
    downstream deletes and re-inserts exactly these sessions:
      * touched: rows in a file not yet processed (late data included), or still
        in progress (the clock may close it by inference) - see int_event_sessions;
      * returning_person: a later-started session of the same organization attended
        by an e-mail person of a touched session - with the key the person has now
        or one they may have had before this run (int_people_to_rebuild) - whose
        new / returning split may have changed.
    Under --full-refresh every session is touched. -#}

with sessions as (

    select * from {{ ref('int_event_sessions') }}

),

identity as (

    select * from {{ ref('int_participant_identity') }}

),

people_to_rebuild as (

    select * from {{ ref('int_people_to_rebuild') }}

),

touched as (

    select
        event_session_id,
        organization_id,
        started_at
    from sessions
    where rebuilt_invocation_id = '{{ invocation_id }}'

),

-- e-mail persons only: guests are never new or returning
touched_people as (

    select
        organization_id,
        person_key,
        earliest_attended_started_at as earliest_touched_started_at
    from people_to_rebuild
    where not is_guest_key
        and earliest_attended_started_at is not null

),

later_sessions as (

    select distinct identity.event_session_id
    from identity
    inner join touched_people
        on identity.organization_id = touched_people.organization_id
            and identity.person_key = touched_people.person_key
    where identity.has_attended
        and identity.session_started_at > touched_people.earliest_touched_started_at

),

final as (

    select
        event_session_id,
        'touched' as rebuild_reason
    from touched
    union all
    select
        event_session_id,
        'returning_person' as rebuild_reason
    from later_sessions
    where later_sessions.event_session_id not in (select touched.event_session_id from touched)

)

select * from final
