with source as (

    select * from {{ source('platform', 'loaded_files') }}

),

renamed as (

    select
        file_id,
        uri as file_uri,
        delivery_date,
        status as load_status,
        lines_total,
        rows_loaded,
        rows_rejected,
        rows_duplicate,
        loaded_at

    from source

)

select * from renamed
