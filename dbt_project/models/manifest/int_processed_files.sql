{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='file_id') }}
-- depends_on: {{ ref('fct_event_sessions') }}
-- depends_on: {{ ref('fct_participants') }}
-- depends_on: {{ ref('fct_connections') }}
-- depends_on: {{ ref('fct_traffic_sources') }}
-- depends_on: {{ ref('fct_devices') }}
-- depends_on: {{ ref('fct_attendance_minutes') }}
-- depends_on: {{ ref('fct_data_quality') }}
-- depends_on: {{ ref('dim_people') }}
-- depends_on: {{ ref('fct_webinar_series') }}
{# The ledger of the incremental build: one row per raw file whose rows every
    mart has taken in.  Built last (it depends on every mart), so a run that fails
    or is cut short records nothing and the next run recomputes those files'
    sessions again.  int_pending_files reads it by name. -#}

with pending_files as (

    select * from {{ ref('int_pending_files') }}

),

final as (

    select
        file_id,
        now() as processed_at
    from pending_files
    -- only a pending list made by this very invocation
    where invocation_id = '{{ invocation_id }}'

)

select * from final
