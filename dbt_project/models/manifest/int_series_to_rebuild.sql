{{ config(unique_key='event_session_id', post_hook=['analyze {{ this }}']) }}
{# The event sessions whose fct_webinar_series rows this run recomputes: every session
    of a series (organization, webinar_id) that has a session in int_sessions_to_rebuild.
    A session's row depends on the other sessions of its series (its number, who came
    before, who comes back next), so a session that lands late - or any change to one -
    rewrites the whole series, and no other series. A session without a webinar_id is a
    series of its own. Under --full-refresh every session is in int_sessions_to_rebuild,
    so every series is here. -#}

with sessions as (

    select * from {{ ref('int_event_sessions') }}

),

sessions_to_rebuild as (

    select * from {{ ref('int_sessions_to_rebuild') }}

),

series_to_rebuild as (

    select distinct
        sessions.organization_id,
        sessions.webinar_id
    from sessions
    where sessions.event_session_id = any(
            array(select sessions_to_rebuild.event_session_id from sessions_to_rebuild)
        )
        and sessions.webinar_id is not null

),

final as (

    select sessions.event_session_id
    from sessions
    inner join series_to_rebuild
        on sessions.organization_id = series_to_rebuild.organization_id
            and sessions.webinar_id = series_to_rebuild.webinar_id
    union
    select sessions_to_rebuild.event_session_id
    from sessions_to_rebuild

)

select * from final
