-- CreateIndex
CREATE INDEX "ActivityEvent_userId_createdAt_id_idx" ON "ActivityEvent"("userId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "NotificationDelivery_channelId_createdAt_id_idx" ON "NotificationDelivery"("channelId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Position_closedAt_idx" ON "Position"("closedAt");

-- CreateIndex
CREATE INDEX "PositionEvent_createdAt_id_idx" ON "PositionEvent"("createdAt", "id");
