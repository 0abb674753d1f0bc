# Report: the PRISMA 2020 counts and diagram (+ the PRISMA2020 R package's CSV), then the review
# pages (the audit view is audit.smk's); after a published version (versions/), the
# updated-review diagram and what changed since it. Their inputs are the upstream rules' named
# outputs, each passed to the command by name: the report reads no file its rule does not
# declare. The reviewers' synthesis folder (narrative Markdown, findings.yaml) is a declared
# input: a new or edited file reruns the report. Which figures the review draws depends on its
# protocol, so they go to one folder.
from review.workflow import decision_files

SYNTHESIS_DECISIONS = "data/decisions/synthesis"


rule render_prisma:
    input:
        protocol=PROTOCOL_PATH,
        records=rules.normalise_records.output.records,
        studies=rules.deduplicate_records.output.studies,
        screening=rules.build_screening_state.output.screening,
        study_groups=rules.group_reports.output.groups,
        versions=VERSION_FILES,
    output:
        svg="reports/prisma.svg",
        csv="reports/prisma.csv",
    params:
        versions=lambda wildcards: VERSIONS,
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    conda:
        "../envs/review.yaml"
    log:
        "logs/render_prisma/render_prisma.log",
    benchmark:
        "logs/render_prisma/render_prisma.benchmark.tsv"
    shell:
        "review prisma --protocol {input.protocol} --records {input.records} "
        "--studies {input.studies} --screening {input.screening} "
        "--study-groups {input.study_groups} "
        "--versions {params.versions} --svg {output.svg} --csv {output.csv} > {log} 2>&1"


rule render_report:
    input:
        protocol=PROTOCOL_PATH,
        records=rules.normalise_records.output.records,
        studies=rules.deduplicate_records.output.studies,
        clusters=rules.deduplicate_records.output.clusters,
        dedup_links=rules.deduplicate_records.output.links,
        screening=rules.build_screening_state.output.screening,
        screening_events=rules.build_screening_state.output.events,
        screening_conflicts=rules.build_screening_state.output.conflicts,
        screening_unmatched=rules.build_screening_state.output.unmatched,
        screening_agreement=rules.build_screening_state.output.agreement,
        screening_set_aside=rules.build_screening_state.output.set_aside,
        fulltext=rules.build_fulltext_status.output.table,
        coded=rules.extract_coding.output.coded,
        coding_events=rules.extract_coding.output.events,
        coding_agreement=rules.extract_coding.output.agreement,
        study_groups=rules.group_reports.output.groups,
        outcomes=rules.extract_coding.output.outcomes,
        appraisal=rules.merge_appraisal.output.appraisal,
        appraisal_summary=rules.merge_appraisal.output.summary,
        appraisal_unmatched=rules.merge_appraisal.output.unmatched,
        findings=rules.profile_findings.output.findings,
        narrative_citations=rules.check_narrative.output.citations,
        search_log=rules.write_search_log.output.log,
        prisma=rules.render_prisma.output.svg,
        verification=lambda wildcards: decision_files(VERIFICATION_DECISIONS, suffixes=(".csv",)),
        versions=VERSION_FILES,
        synthesis=lambda wildcards: decision_files(
            SYNTHESIS_DECISIONS, suffixes=(".md", ".yaml")
        ),
    output:
        html="reports/review.html",
        markdown="reports/review.md",
        search_log="reports/search_log.csv",
        figures=directory("reports/figures"),
    params:
        versions=lambda wildcards: VERSIONS,
        verification=VERIFICATION_DECISIONS,
        synthesis=SYNTHESIS_DECISIONS,
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../envs/review.yaml"
    log:
        "logs/render_report/render_report.log",
    benchmark:
        "logs/render_report/render_report.benchmark.tsv"
    shell:
        "review report --protocol {input.protocol} --records {input.records} "
        "--studies {input.studies} --clusters {input.clusters} "
        "--dedup-links {input.dedup_links} --screening {input.screening} "
        "--screening-events {input.screening_events} "
        "--screening-conflicts {input.screening_conflicts} "
        "--screening-unmatched {input.screening_unmatched} "
        "--screening-agreement {input.screening_agreement} "
        "--screening-set-aside {input.screening_set_aside} --fulltext {input.fulltext} "
        "--coded {input.coded} "
        "--coding-events {input.coding_events} --coding-agreement {input.coding_agreement} "
        "--study-groups {input.study_groups} --outcomes {input.outcomes} "
        "--appraisal {input.appraisal} --appraisal-summary {input.appraisal_summary} "
        "--appraisal-unmatched {input.appraisal_unmatched} "
        "--findings {input.findings} --narrative-citations {input.narrative_citations} "
        "--search-log {input.search_log} --prisma-svg {input.prisma} "
        "--verification {params.verification} --versions {params.versions} "
        "--synthesis-dir {params.synthesis} "
        "--html {output.html} --markdown {output.markdown} "
        "--search-log-copy {output.search_log} --figures-dir {output.figures} > {log} 2>&1"
