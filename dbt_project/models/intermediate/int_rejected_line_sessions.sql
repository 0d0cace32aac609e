{{ config(
    unique_key='file_id',
    meta={'rebuild_scope': 'none'},
    post_hook=["{{ index_on(['event_session_id']) }}"],
) }}
{# One row per rejected line whose text still names an event session (see macro
    session_id_named_in), for fct_data_quality.rejected_lines.  The text is searched
    once, when its file is new (int_pending_files; on the first build and under
    --full-refresh every loaded file), and the session kept with an index, so a run
    counts a session's rejects without reading every reject in the warehouse again.
    Lines that name no session make no row: they belong to no session and are
    counted per file in raw.loaded_files. -#}

-- depends_on: {{ ref('int_pending_files') }}

with files as (

    {% if is_incremental() %}
    select file_id from {{ ref('int_pending_files') }}
    {% else %}
    -- first build (or --full-refresh): every loaded file, also those an earlier
    -- version of the project already processed
    select file_id from {{ ref('stg_platform__loaded_files') }}
    where load_status = 'loaded'
    {% endif %}

),

rejected_lines as (

    select * from {{ ref('stg_platform__rejected_lines') }}
    where file_id = any(array(select files.file_id from files))

),

final as (

    select
        file_id,
        line_number,
        named_event_session_id as event_session_id
    from rejected_lines
    where named_event_session_id is not null

)

select * from final
