/* registry.c — every stage, in pipeline order. A stage runs when the job
 * asks for its kind and the file's family is among its families; sniff
 * always runs. Add a media family by adding its stages here. */
#include "stage.h"

extern const aw_stage aw_stage_sniff;
extern const aw_stage aw_stage_scan;
extern const aw_stage aw_stage_image_metadata;
extern const aw_stage aw_stage_image_thumbnail;
extern const aw_stage aw_stage_av_metadata;
extern const aw_stage aw_stage_av_thumbnail;
extern const aw_stage aw_stage_av_preview;
extern const aw_stage aw_stage_av_waveform;
extern const aw_stage aw_stage_pdf_metadata;
extern const aw_stage aw_stage_pdf_thumbnail;
extern const aw_stage aw_stage_office_metadata;
extern const aw_stage aw_stage_office_thumbnail;
extern const aw_stage aw_stage_model_metadata;
extern const aw_stage aw_stage_model_thumbnail;

const aw_stage *const aw_stage_registry[] = {
    &aw_stage_sniff,
    &aw_stage_scan,
    &aw_stage_image_metadata,
    &aw_stage_image_thumbnail,
    &aw_stage_av_metadata,
    &aw_stage_av_thumbnail,
    &aw_stage_av_preview,
    &aw_stage_av_waveform,
    &aw_stage_pdf_metadata,
    &aw_stage_pdf_thumbnail,
    &aw_stage_office_metadata,
    &aw_stage_office_thumbnail,
    &aw_stage_model_metadata,
    &aw_stage_model_thumbnail,
    NULL,
};
