{#- Masking of personal data in the marts, for organizations that must not expose
    e-mails and IP addresses to BI (setting WEBSTAT_MASK_PII -> var mask_pii).
    E-mails (and e-mail based person keys) become a stable hash, so people can still
    be counted and followed across sessions; IPv4 keeps its /24 (last octet 0), IPv6
    its first three groups (/48). Changing the setting needs `--full-refresh`. -#}

{#- `expr` as it is, or masked (the block's SQL) when var mask_pii is set -#}
{% macro masked_if_pii(expr) -%}
    {%- if var('mask_pii', false) -%}
        {{ caller() }}
    {%- else -%}
        {{ expr }}
    {%- endif -%}
{%- endmacro %}

{% macro mask_email(expr) -%}
    {%- call masked_if_pii(expr) -%}
        case when {{ expr }} is null then null
             else 'sha256:' || left(encode(sha256(convert_to({{ expr }}, 'UTF8')), 'hex'), 16)
        end
    {%- endcall -%}
{%- endmacro %}

{% macro mask_person_key(expr) -%}
    {%- call masked_if_pii(expr) -%}
        case when {{ expr }} like 'guest:%' then {{ expr }} else {{ mask_email(expr) }} end
    {%- endcall -%}
{%- endmacro %}

{% macro mask_ip(expr) -%}
    {%- call masked_if_pii(expr) -%}
        case
            when {{ expr }} is null then null
            when {{ expr }} ~ '^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$'
                then regexp_replace({{ expr }}, '\.\d{1,3}$', '.0')
            when {{ expr }} like '%:%'
                then regexp_replace({{ expr }}, '^([^:]*:[^:]*:[^:]*).*$', '\1::')
            else 'masked'
        end
    {%- endcall -%}
{%- endmacro %}
