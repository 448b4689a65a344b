#pragma once

#include "meta/service/meta_messages.h"
#include "rpc/service.h"

// The metadata service. Method ids are wire format: never reuse or renumber them.
#define CHAINFS_META_METHODS(M)                                                   \
  M(1, Lookup, ::chainfs::meta::LookupReq, ::chainfs::meta::AttrRsp)              \
  M(2, GetAttr, ::chainfs::meta::InodeReq, ::chainfs::meta::AttrRsp)              \
  M(3, SetAttr, ::chainfs::meta::SetAttrReq, ::chainfs::meta::AttrRsp)            \
  M(4, Mknod, ::chainfs::meta::MknodReq, ::chainfs::meta::AttrRsp)                \
  M(5, Readlink, ::chainfs::meta::InodeReq, ::chainfs::meta::ReadlinkRsp)         \
  M(6, Link, ::chainfs::meta::LinkReq, ::chainfs::meta::AttrRsp)                  \
  M(7, Unlink, ::chainfs::meta::RemoveReq, ::chainfs::meta::UnlinkRsp)            \
  M(8, Rmdir, ::chainfs::meta::RemoveReq, ::chainfs::meta::Empty)                 \
  M(9, Rename, ::chainfs::meta::RenameReq, ::chainfs::meta::Empty)                \
  M(10, Open, ::chainfs::meta::OpenReq, ::chainfs::meta::OpenRsp)                 \
  M(11, Create, ::chainfs::meta::CreateReq, ::chainfs::meta::OpenRsp)             \
  M(12, ReportLength, ::chainfs::meta::ReportLengthReq, ::chainfs::meta::AttrRsp) \
  M(13, Readdir, ::chainfs::meta::ReaddirReq, ::chainfs::meta::ReaddirRsp)        \
  M(14, Statfs, ::chainfs::meta::Empty, ::chainfs::meta::StatfsRsp)               \
  M(15, SetXattr, ::chainfs::meta::SetXattrReq, ::chainfs::meta::Empty)           \
  M(16, GetXattr, ::chainfs::meta::XattrNameReq, ::chainfs::meta::XattrValueRsp)  \
  M(17, ListXattr, ::chainfs::meta::XattrNameReq, ::chainfs::meta::XattrListRsp)  \
  M(18, RemoveXattr, ::chainfs::meta::RemoveXattrReq, ::chainfs::meta::Empty)     \
  M(19, SetLock, ::chainfs::meta::LockReq, ::chainfs::meta::Empty)                \
  M(20, GetLock, ::chainfs::meta::LockReq, ::chainfs::meta::GetLockRsp)           \
  M(21, OpenSession, ::chainfs::meta::SessionReq, ::chainfs::meta::SessionRsp)    \
  M(22, RenewSession, ::chainfs::meta::SessionReq, ::chainfs::meta::SessionRsp)   \
  M(23, EndSession, ::chainfs::meta::SessionReq, ::chainfs::meta::Empty)          \
  M(24, CloseFiles, ::chainfs::meta::CloseFilesReq, ::chainfs::meta::Empty)       \
  M(25, Sync, ::chainfs::meta::Empty, ::chainfs::meta::Empty)

namespace chainfs::meta {
CHAINFS_SERVICE(MetaService, 10, CHAINFS_META_METHODS)
}  // namespace chainfs::meta
