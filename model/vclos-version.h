/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_VERSION_H
#define VCLOS_VERSION_H

/// Version of the vclos module, recorded with every run in the results database.
#define VCLOS_VERSION "0.1.0"

#endif // VCLOS_VERSION_H
