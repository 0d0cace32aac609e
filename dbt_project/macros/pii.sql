{#- Masking of personal data in the marts, for organizations that must not expose
    e-mails and IP addresses to BI (setting WEBSTAT_MASK_PII -> var mask_pii).
    E-mails (and e-mail based person keys) become a stable hash, so people can still
    be counted and followed across sessions; IPv4 keeps its /24 (last octet 0), IPv6
    its first three groups (/48). Changing the setting needs `--full-refresh`. -#}

{% macro mask_email(expr) -%}
    {%- if var('mask_pii', false) -%}
        case when {{ expr }} is null then null
             else 'sha256:' || left(encode(sha256(convert_to({{ expr }}, 'UTF8')), 'hex'), 16)
        end
    {%- else -%}
        {{ expr }}
    {%- endif -%}
{%- endmacro %}

{% macro mask_person_key(expr) -%}
    {%- if var('mask_pii', false) -%}
        case when {{ expr }} like 'guest:%' then {{ expr }} else {{ mask_email(expr) }} end
    {%- else -%}
        {{ expr }}
    {%- endif -%}
{%- endmacro %}

{% macro mask_ip(expr) -%}
    {%- if var('mask_pii', false) -%}
        case
            when {{ expr }} is null then null
            when {{ expr }} ~ '^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$'
                then regexp_replace({{ expr }}, '\.\d{1,3}$', '.0')
            when {{ expr }} like '%:%'
                then regexp_replace({{ expr }}, '^([^:]*:[^:]*:[^:]*).*$', '\1::')
            else 'masked'
        end
    {%- else -%}
        {{ expr }}
    {%- endif -%}
{%- endmacro %}
