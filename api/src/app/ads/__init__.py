"""Amazon Ads: advertiser profiles, Sponsored Products structure and daily reporting v3 metrics."""
