/* pipeline.h — the one core function. A job and a local input file in;
 * outputs written into a directory and the job's result out. The CLI, the
 * executors and the tests all call it; Kafka, storage and isolation wrap it. */
#ifndef AW_PIPELINE_H
#define AW_PIPELINE_H

#include "config.h"
#include "result.h"

/* Process-wide set-up of sniff (libmagic) and scan (the ClamAV engine).
 * Call once, before forking executors. A stage whose set-up fails for a
 * reason that belongs to jobs (no ClamAV database) reports it per job
 * instead; AW_ERROR here means the process cannot work at all. Every other
 * stage is set up by the first job that runs it (libvips, FFmpeg, poppler,
 * OSMesa load then: common/lazy.h); a failure there fails that stage. */
int aw_pipeline_init(const aw_config *cfg, aw_error *err);

/* The scan stage's ClamAV engine, as aw_pipeline_init left it. */
typedef struct aw_scan_engine {
    bool enabled, loaded;
    unsigned signatures, version; /* version: the daily database's */
    long long built;              /* the database's build time, Unix seconds */
    char error[400];              /* why it is not loaded */
} aw_scan_engine;

void aw_pipeline_scan_engine(aw_scan_engine *out);

/* The database's identity, "v<version>/s<signatures>/t<build time>": a scan
 * verdict is reused only under the same one (a local database has version 0,
 * so the signature count and build time tell two apart). */
void aw_scan_database_id(const aw_scan_engine *e, char *out, size_t size);

/* After a job, in a process that may run another: what the libraries keep
 * of it is let go. False (and why) when something of the job is still held
 * (the process must then not run another job). */
bool aw_pipeline_forget_job(char *why, size_t size);

/* Undoes aw_pipeline_init and every stage's set-up. */
void aw_pipeline_shutdown(void);

/* Runs sniff, then each requested stage that applies to the file's family,
 * in registry order, writing outputs into output_dir (which must exist).
 * Fills *result (initialised here; free with aw_result_free). Returns AW_OK
 * whenever a result was produced, whatever its status; AW_ERROR only when no
 * result could be built (out of memory). */
int aw_pipeline_run(const aw_job *job, const aw_config *cfg, const char *input_path,
                    const char *output_dir, aw_result *result);

#endif
