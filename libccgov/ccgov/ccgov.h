/* libccgov: the whole public interface. */
#ifndef CCGOV_H
#define CCGOV_H

#include <ccgov/buffer.h>
#include <ccgov/digest.h>
#include <ccgov/elf.h>
#include <ccgov/error.h>
#include <ccgov/file.h>
#include <ccgov/git.h>
#include <ccgov/gitmodules.h>
#include <ccgov/json.h>
#include <ccgov/measure.h>
#include <ccgov/path.h>
#include <ccgov/timestamp.h>
#include <ccgov/toml.h>
#include <ccgov/uri.h>
#include <ccgov/utf8.h>
#include <ccgov/version.h>
#include <ccgov/compress.h>
#include <ccgov/layer.h>
#include <ccgov/oci.h>
#include <ccgov/project.h>
#include <ccgov/build.h>
#include <ccgov/provenance.h>
#include <ccgov/scan.h>
#include <ccgov/interrupt.h>
#include <ccgov/owned_dir.h>
#include <ccgov/remove.h>
#include <ccgov/sandbox.h>
#include <ccgov/tar.h>
#include <ccgov/rootfs.h>

#endif
