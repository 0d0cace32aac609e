{{ config(materialized='table') }}
-- depends_on: {{ ref('fct_event_sessions') }}
-- depends_on: {{ ref('fct_participants') }}
-- depends_on: {{ ref('fct_connections') }}
-- depends_on: {{ ref('fct_traffic_sources') }}
-- depends_on: {{ ref('fct_devices') }}
-- depends_on: {{ ref('fct_attendance_minutes') }}
-- depends_on: {{ ref('fct_data_quality') }}
-- depends_on: {{ ref('dim_people') }}
-- depends_on: {{ ref('fct_webinar_series') }}
{# The settings the marts were last built with: one row of the vars a mart's
    values depend on.  Built after every mart (like int_processed_files), so a
    build that fails records nothing.  The reports' notes quote it; a build with
    other values than these is noticed before it starts. -#}

with final as (

    select
        '{{ var("reporting_timezone") | replace("'", "''") }}'::text as reporting_timezone,
        {{ 'true' if var('mask_pii') in (true, 'true', 'True', 1, '1') else 'false' }} as mask_pii,
        {{ var('inferred_end_delay_hours') | int }} as inferred_end_delay_hours,
        {{ var('max_session_days') | int }} as max_session_days,
        {{ var('late_join_grace_minutes') | int }} as late_join_grace_minutes,
        {{ var('early_leave_grace_minutes') | int }} as early_leave_grace_minutes,
        {{ var('low_presence_threshold_pct') | float }}::numeric as low_presence_threshold_pct,
        {{ var('rating_weight_presence') | float }}::numeric as rating_weight_presence,
        {{ var('rating_weight_active') | float }}::numeric as rating_weight_active,
        {{ var('rating_weight_messages') | float }}::numeric as rating_weight_messages,
        {{ var('rating_weight_questions') | float }}::numeric as rating_weight_questions,
        {{ var('rating_weight_fires') | float }}::numeric as rating_weight_fires,
        {{ var('rating_cap_messages') | int }} as rating_cap_messages,
        {{ var('rating_cap_questions') | int }} as rating_cap_questions,
        {{ var('rating_cap_fires') | int }} as rating_cap_fires,
        now() as built_at

)

select * from final
