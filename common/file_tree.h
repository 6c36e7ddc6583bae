/* file_tree.h — a directory tree removed whole (a job's spool, an
 * executor's work directory, an office child's directory). */
#ifndef AW_FILE_TREE_H
#define AW_FILE_TREE_H

/* Removes path and everything below it, links not followed; what cannot
 * be removed is left and the rest still goes. */
void aw_remove_tree(const char *path);

#endif
