# The production image: Airflow 3.3 with webstat installed the same way `make` installs it.
FROM apache/airflow:3.3.2-python3.11

USER root
# WeasyPrint needs Pango; DejaVu fonts carry Cyrillic for the PDF reports; with
# libharfbuzz-subset0 WeasyPrint subsets the fonts with HarfBuzz instead of fontTools
# (measured on a 2-core machine: a 1,500-row table's PDF is written in 1.9 s, not 2.8 s);
# fontconfig's fc-match tells the reports which font file Pango sets their text in.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    libharfbuzz-subset0 fontconfig \
 && rm -rf /var/lib/apt/lists/*
USER airflow

COPY --chown=airflow:0 . /opt/webstat
# the versions `make` installs (constraints.txt, the tested set; apache-airflow pinned to this
# image's): without them pip backtracks through the dependency tree for many minutes
RUN pip install --no-cache-dir -c /opt/webstat/constraints.txt -e /opt/webstat
ENV WEBSTAT_DBT_PROJECT_DIR=/opt/webstat/dbt_project \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/webstat/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    DO_NOT_TRACK=1
