/* sanitizer.h — AW_UNDER_ASAN is defined in an AddressSanitizer build,
 * where address space and resident memory are the sanitizer's (terabytes
 * of shadow reserved, freed memory held in quarantine), so limits on them
 * are left out there. */
#ifndef AW_SANITIZER_H
#define AW_SANITIZER_H

#if defined(__SANITIZE_ADDRESS__)
#define AW_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AW_UNDER_ASAN 1
#endif
#endif

#endif
