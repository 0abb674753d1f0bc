# Normalise: every source of the protocol (database runs, export files, website collections)
# into one records table (review.normalise), after every committed raw file is checked against
# its manifest (review.integrity): a changed file stops the run, naming it. The committed files
# the sources read are inputs, so a new run or export reruns the rule; live searches, when
# asked for, run first.
rule normalise_records:
    input:
        protocol=PROTOCOL_PATH,
        raw=raw_inputs(PROTOCOL),
        searched=SEARCH_OUTPUTS,
    output:
        records="data/interim/records.csv",
        raw_files="data/interim/raw_files.csv",
    params:
        raw=lambda wildcards: RAW_ROOT,  # the folder of the runs the inputs list
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    conda:
        "../envs/review.yaml"
    log:
        "logs/normalise_records/normalise_records.log",
    benchmark:
        "logs/normalise_records/normalise_records.benchmark.tsv"
    shell:
        "review normalise --protocol {input.protocol} --raw-root {params.raw} "
        "--searched {input.searched} --output {output.records} "
        "--raw-files {output.raw_files} > {log} 2>&1"
