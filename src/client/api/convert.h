#pragma once

#include "chainfs/client.h"
#include "meta/ops/attr_ops.h"
#include "meta/ops/caller.h"
#include "meta/ops/lock_ops.h"
#include "meta/schema/records.h"
#include "meta/service/meta_messages.h"

// Between the public API's plain structs and the client library's types.
namespace chainfs::api {

uint32_t TypeBits(meta::FileType type);
// kInvalidArgument for type bits that name no file type.
Result<meta::FileType> TypeOf(uint32_t mode);
FileAttr ToFileAttr(const meta::Attr& attr);
DirPage ToDirPage(const meta::ReaddirRsp& rsp);
meta::Caller ToCaller(const Credentials& who);
meta::AttrChange ToAttrChange(const AttrChange& change);
meta::LockKind ToLockKind(LockKind kind);
meta::LockRange ToLockRange(const LockRange& range);
LockRange FromLockRange(const meta::LockRange& range);
// 0, or the negative errno of `status`.
int Errno(const Status& status);

}  // namespace chainfs::api
