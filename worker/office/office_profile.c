/* office_profile.c — the settings that make LibreOffice a renderer only.
 * Each was seen to matter with LibreOfficeKit 7.4 (docs/decisions.md,
 * "Office documents"): */
#define _GNU_SOURCE
#include "office_profile.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define ITEM(path, name, value)                                                                    \
    "<item oor:path=\"" path "\"><prop oor:name=\"" name "\" oor:op=\"fuse\"><value>" value        \
    "</value></prop></item>\n"

static const char settings[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                               "<oor:items xmlns:oor=\"http://openoffice.org/2001/registry\" "
                               "xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
                               "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
    /* macros never run, whatever a load option asks */
    ITEM("/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "true")
        ITEM("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "3")
    /* linked images are not fetched (they are by default, over http too) */
    ITEM("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "true")
    /* links never updated: Writer 0 = never, Calc 1 = never */
    ITEM("/org.openoffice.Office.Writer/Content/Update", "Link", "0")
        ITEM("/org.openoffice.Office.Calc/Content/Update", "Link", "1")
    /* formulas not recalculated on load (WEBSERVICE and the like stay cold) */
    ITEM("/org.openoffice.Office.Calc/Formula/Load", "OOXMLRecalcMode", "1")
        ITEM("/org.openoffice.Office.Calc/Formula/Load", "ODFRecalcMode", "1")
    /* no lock files beside the document, no OpenCL, no autosave or recovery */
    ITEM("/org.openoffice.Office.Common/Misc", "UseLocking", "false")
        ITEM("/org.openoffice.Office.Common/Misc", "UseOpenCL", "false")
            ITEM("/org.openoffice.Office.Recovery/AutoSave", "Enabled", "false")
                ITEM("/org.openoffice.Office.Recovery/RecoveryInfo", "Enabled", "false")
    /* the page as printed: no text boundaries (sheets are printed, so no
       cell grid either) */
    ITEM("/org.openoffice.Office.UI/ColorScheme/ColorSchemes/"
         "org.openoffice.Office.UI:ColorScheme['LibreOffice']/DocBoundaries",
         "IsVisible", "false")
    /* no first-start work in every child: the graphics self-test (0.8 s of
       CPU, 65 MB) runs when the version differs from the one recorded, and
       the presets are copied into the profile until set-up is marked done */
    ITEM("/org.openoffice.Setup/Product", "ooSetupLastVersion", "7.4")
        ITEM("/org.openoffice.Setup/Office", "ooSetupInstCompleted", "true")
            ITEM("/org.openoffice.Office.Common/Misc", "FirstRun", "false") "</oor:items>\n";

int aw_office_profile_write(const char *dir, char *url, size_t size, aw_error *err)
{
    char user[4096], file[4200];
    snprintf(user, sizeof user, "%s/user", dir);
    snprintf(file, sizeof file, "%s/registrymodifications.xcu", user);
    if ((mkdir(dir, 0700) != 0 && errno != EEXIST) || (mkdir(user, 0700) != 0 && errno != EEXIST))
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "office_unavailable",
                            "cannot create the office profile %s: %s", dir, strerror(errno));
    FILE *f = fopen(file, "w");
    bool written = f != NULL && fputs(settings, f) >= 0;
    if (f != NULL && fclose(f) != 0)
        written = false;
    if (!written)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "office_unavailable", "cannot write %s",
                            file);
    snprintf(url, size, "file://%s", dir);
    return AW_OK;
}
