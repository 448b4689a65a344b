#include "client/meta_client.h"

namespace chainfs::client {

MetaClient::MetaClient(Runtime& rt, rpc::ClientPool& pool, std::vector<Address> addresses,
                       MetaClientOptions options)
    : rt_(rt), pool_(pool), addresses_(std::move(addresses)), options_(options) {}

void MetaClient::InFlight::Tag(meta::RequestTag& tag) {
  if (client_.session_ == 0) return;
  tag_ = &tag;
  tag.session = client_.session_;
  tag.seq = client_.next_seq_++;
  client_.in_flight_.insert(tag.seq);
  uint64_t oldest = *client_.in_flight_.begin();
  if (oldest - client_.forgotten_ >= kForgetBatch) {
    tag.forget_from = client_.forgotten_;
    tag.forget_below = oldest;
    client_.forgotten_ = oldest;
  }
}

void MetaClient::InFlight::Answered(bool ok) {
  // A failed mutation stored nothing and let nothing go: ask again with a later request.
  if (tag_ != nullptr && !ok && tag_->forget_below != 0 &&
      client_.forgotten_ == tag_->forget_below) {
    client_.forgotten_ = tag_->forget_from;
  }
}

MetaClient::InFlight::~InFlight() {
  if (tag_ != nullptr) client_.in_flight_.erase(tag_->seq);
}

}  // namespace chainfs::client
