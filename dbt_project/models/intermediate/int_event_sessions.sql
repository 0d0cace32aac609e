{{ config(meta={'rebuild_scope': 'none'}) }}
-- depends_on: {{ ref('int_rejected_line_sessions') }}
-- depends_on: {{ ref('int_pending_files') }}
-- depends_on: {{ ref('stg_platform__duplicate_events') }}
{# One row per event session seen in the raw log, with its resolved status and the
    end every measure is clipped to.  Also the registry of the incremental build:
    a run recomputes the sessions with rows (or rejected lines naming them) in files
    not yet processed plus every session not closed yet (its status moves with the
    clock), and stamps them with the invocation id. -#}

-- `not materialized`: referenced twice, and must stay filtered through the
-- file_id / event_session_id indexes of raw.platform_events
with events as not materialized (

    select * from {{ ref('stg_platform__events') }}

),

{% if is_incremental() %}
duplicates as (

    select * from {{ ref('stg_platform__duplicate_events') }}

),

pending_files as (

    select * from {{ ref('int_pending_files') }}

),
{% endif %}

session_starts as (

    select * from {{ ref('stg_platform__session_starts') }}

),

session_ends as (

    select * from {{ ref('stg_platform__session_ends') }}

),

touched_sessions as (

    {% if is_incremental() %}
    select event_session_id
    from events
    where file_id = any(array(select file_id from pending_files))
    union
    select event_session_id
    from duplicates
    where file_id = any(array(select file_id from pending_files))
    union
    -- a new reject that names the session changes its rejected_lines count
    select event_session_id
    from {{ ref('int_rejected_line_sessions') }}
    where file_id = any(array(select file_id from pending_files))
    union
    -- still open (in progress, or quarantined with no end yet): the clock may close
    -- it by inference. Once closed (by an end event or by inference) a session is
    -- only rebuilt when new data touches it, so the cost of a run does not grow with
    -- the warehouse's history.
    select event_session_id
    from {{ this }}
    where ended_at is null
    {% else %}
    select distinct event_session_id
    from events
    {% endif %}

),

session_envelopes as (

    select
        events.event_session_id,
        min(events.organization_id) as any_organization_id,
        min(events.webinar_id) as any_webinar_id,
        max(events.occurred_at) as newest_event_at
    from events
    where {{ is_touched_session('events.event_session_id') }}
    group by events.event_session_id

),

first_starts as (

    select distinct on (session_starts.event_session_id) session_starts.*
    from session_starts
    where {{ is_touched_session('session_starts.event_session_id') }}
    order by session_starts.event_session_id, session_starts.started_at, session_starts.event_id

),

last_ends as (

    select
        session_ends.event_session_id,
        max(session_ends.ended_at) as last_ended_at
    from session_ends
    where {{ is_touched_session('session_ends.event_session_id') }}
    group by session_ends.event_session_id

),

resolved as (

    select
        session_envelopes.event_session_id,
        coalesce(first_starts.organization_id, session_envelopes.any_organization_id)
        as organization_id,
        coalesce(first_starts.webinar_id, session_envelopes.any_webinar_id) as webinar_id,
        first_starts.webinar_name,
        coalesce(first_starts.is_paid, false) as is_paid,
        coalesce(first_starts.has_engagement_module, false) as has_engagement_module,
        coalesce(first_starts.is_open_entry, false) as is_open_entry,
        first_starts.started_at,
        last_ends.last_ended_at,
        last_ends.event_session_id is not null as has_end_event,
        session_envelopes.newest_event_at,
        -- "more than inferred_end_delay_hours older than the end of the data interval"
        session_envelopes.newest_event_at
        < {{ run_clock() }} - make_interval(hours => {{ var('inferred_end_delay_hours') }})
        as is_stale
    from session_envelopes
    left join first_starts
        on session_envelopes.event_session_id = first_starts.event_session_id
    left join last_ends
        on session_envelopes.event_session_id = last_ends.event_session_id

),

with_end as (

    select
        *,
        not has_end_event and is_stale as end_inferred,
        case
            when has_end_event then last_ended_at
            when is_stale then newest_event_at
        end as ended_at
    from resolved

),

with_status as (

    select
        *,
        case
            -- a clock gone wrong, not a webinar: the span from started_at to ended_at
            -- (to the newest event while open) is longer than var max_session_days
            when coalesce(ended_at, newest_event_at) - started_at
                > interval '1 day' * {{ var('max_session_days') }}
                then 'quarantined'
            when ended_at is not null then 'ended'
            else 'in_progress'
        end as status,
        -- the end every measure is clipped to: ended_at, or for a session still in
        -- progress its newest event; never before started_at
        greatest(coalesce(ended_at, newest_event_at), started_at) as measured_until
    from with_end

),

final as (

    select
        event_session_id,
        organization_id,
        webinar_id,
        webinar_name,
        is_paid,
        has_engagement_module,
        is_open_entry,
        status,
        started_at,
        ended_at,
        end_inferred,
        has_end_event,
        newest_event_at,
        measured_until,
        {{ range_seconds(half_open_range('started_at', 'measured_until')) }} as duration_seconds,
        (started_at at time zone '{{ var("reporting_timezone") }}')::date as report_date,
        '{{ invocation_id }}'::text as rebuilt_invocation_id
    from with_status

)

select * from final
