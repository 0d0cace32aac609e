with source as (

    select * from {{ source('platform', 'rejected_lines') }}

),

renamed as (

    select
        file_id,
        line_number,
        source_uri,
        reason as reject_reason,
        rejected_at

    from source

)

select * from renamed
