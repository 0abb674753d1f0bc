# Live database searches (review.searchruns). Opt-in: they run only with `--config live=true`
# (or `review run --live`); offline, the workflow reads the runs already in data/raw/<source>/.
# Each search asks only for what was added since the source's last complete run (an initial
# search when there is none), writes a new run folder beside the old ones, and resumes an
# interrupted run from its checkpoint. Keys come from the environment, never from here.
# Searches need the internet, which compute nodes of a cluster often lack: they run locally.
SEARCH_SOURCES = [s["id"] for s in PROTOCOL.sources if s["kind"] == "database"]


if LIVE and SEARCH_SOURCES:

    localrules:
        search_database,

    rule search_database:
        input:
            protocol=PROTOCOL_PATH,
        output:
            # temp(): consumed by normalise_records, then removed, so the next live run
            # searches again instead of finding the status file up to date.
            status=temp("data/interim/search/{source}.json"),
        wildcard_constraints:
            source="|".join(SEARCH_SOURCES),
        params:
            raw=RAW_ROOT,
        threads: 1
        resources:
            api=1,
            mem_mb=500,
            runtime=120,
        conda:
            "../envs/review.yaml"
        log:
            "logs/search_database/{source}.log",
        benchmark:
            "logs/search_database/{source}.benchmark.tsv"
        shell:
            "review search {wildcards.source} --live --update --protocol {input.protocol} "
            "--raw-root {params.raw} --status {output.status} > {log} 2>&1"


SEARCH_OUTPUTS = (
    expand("data/interim/search/{source}.json", source=SEARCH_SOURCES) if LIVE else []
)


# The PRISMA-S search log, from the run manifests, with the files and records normalise read
# and checked against them (raw_files.csv): what was read, never a stale manifest.
rule write_search_log:
    input:
        protocol=PROTOCOL_PATH,
        raw=raw_inputs(PROTOCOL),
        searched=SEARCH_OUTPUTS,
        raw_files="data/interim/raw_files.csv",  # normalise_records writes it
    output:
        log="data/interim/search_log.csv",
    params:
        raw=lambda wildcards: RAW_ROOT,  # the folder of the runs the inputs list
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    conda:
        "../envs/review.yaml"
    log:
        "logs/write_search_log/write_search_log.log",
    benchmark:
        "logs/write_search_log/write_search_log.benchmark.tsv"
    shell:
        "review search-log --protocol {input.protocol} --raw-root {params.raw} "
        "--searched {input.searched} --raw-files {input.raw_files} "
        "--output {output.log} > {log} 2>&1"
